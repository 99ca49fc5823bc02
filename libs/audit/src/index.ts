export * from './canonical';
export * from './chain';
export * from './audit-log';
export * from './sample';
