export * from './names';
export * from './policy';
export * from './heartbeat';
export * from './recording';
export * from './reviews';
export * from './sealed-box';
