import type { ListenerFactory } from './bootstrap';

/** The protocol listeners a worker process runs. */
export const LISTENERS: ListenerFactory[] = [];
