import type { ListenerFactory } from './bootstrap';
import { postgresListener } from './postgres/listener';

/** The protocol listeners a worker process runs. */
export const LISTENERS: ListenerFactory[] = [postgresListener()];
