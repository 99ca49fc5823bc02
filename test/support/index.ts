export * from './postgres';
export * from './net';
export * from './random';
