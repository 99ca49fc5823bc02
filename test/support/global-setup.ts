// Filled in with the database template once the Prisma schema lands.
export default async function setup(): Promise<void> {}
