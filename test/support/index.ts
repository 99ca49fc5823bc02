export * from './postgres';
export * from './net';
