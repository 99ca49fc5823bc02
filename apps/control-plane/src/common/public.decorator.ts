import { SetMetadata } from '@nestjs/common';

/** Marks an HTTP route that needs no identity (health, metrics, console files). */
export const IS_PUBLIC = 'airlock:public';
export const Public = () => SetMetadata(IS_PUBLIC, true);
