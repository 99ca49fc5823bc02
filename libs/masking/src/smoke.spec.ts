import { describe, expect, it } from 'vitest';
import { maskText } from './index';

describe('smoke', () => {
  it('masks', () => {
    const samples = [
      'mail jane.doe@example.com now',
      'card 4111 1111 1111 1111 and 4242424242424242',
      'ssn 123-45-6789',
      'call (415) 555-0132 or +44 20 7946 0958 or 415-555-0132 or 030 12345678 or 01 23 45 67 89',
      'iban DE89 3704 0044 0532 0130 00 or GB82WEST12345698765432',
      'ip 10.0.0.1 and fe80::1ff:fe23:4567:890a, not 10.0.0.1-beta or v1.2.3.4 or 1.3.6.1.4.1',
      'AKIAIOSFODNN7EXAMPLE aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      'ghp_' + 'a'.repeat(36) + ' glpat-' + 'b'.repeat(20) + ' xoxb-123456789012-abcdefghij',
      'uuid 550e8400-e29b-41d4-a716-446655440000 sha 3f786850e387550fdab836ed7e6dc881de23001b epoch 1700000000 1700000000000',
      '{"email":"a@b.co","n":4111111111111111,"a@b.co":1}',
    ];
    for (const s of samples) console.log(JSON.stringify(maskText(s)));
    expect(1).toBe(1);
  });
});
