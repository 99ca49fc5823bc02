import crypto from 'node:crypto';

export interface DevUser {
  username: string;
  password: string;
  email: string;
  name: string;
  groups: string[];
}

export const DEFAULT_PASSWORDS = { alice: 'alice-dev-password', bob: 'bob-dev-password' } as const;

export function devUsers(passwords: Partial<Record<'alice' | 'bob', string>> = {}): DevUser[] {
  return [
    { username: 'alice', password: passwords.alice ?? DEFAULT_PASSWORDS.alice, email: 'alice@example.com', name: 'Alice Approver', groups: ['airlock-approvers'] },
    { username: 'bob', password: passwords.bob ?? DEFAULT_PASSWORDS.bob, email: 'bob@example.com', name: 'Bob Admin', groups: ['airlock-admins'] },
  ];
}

/** Constant-time check, so even the dev IdP does not teach anyone timing attacks by example. */
export function checkPassword(users: DevUser[], username: string, password: string): DevUser | undefined {
  const user = users.find((u) => u.username === username);
  const digest = (s: string) => crypto.createHash('sha256').update(s).digest();
  const ok = crypto.timingSafeEqual(digest(user?.password ?? crypto.randomUUID()), digest(password));
  return user && ok ? user : undefined;
}

/** Claims for ID tokens, userinfo and (via extraTokenClaims) access tokens. */
export function userClaims(user: DevUser): Record<string, unknown> {
  return {
    sub: user.username,
    preferred_username: user.username,
    name: user.name,
    email: user.email,
    email_verified: true,
    groups: [...user.groups],
  };
}
