// The quickstart's demo target: a database of realistic, entirely fake customers with the
// personal data Airlock masks (emails, phones, card numbers, SSNs, free-text notes).
// Deterministic: the same seed always yields the same rows.
import pg from 'pg';

const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Margaret', 'Ken', 'Radia', 'Linus', 'Frances', 'John', 'Shafi', 'Tim', 'Leslie', 'Hedy', 'Dennis', 'Katherine', 'Vint', 'Sophie'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Hamilton', 'Thompson', 'Perlman', 'Torvalds', 'Allen', 'Backus', 'Goldwasser', 'Berners-Lee', 'Lamport', 'Lamarr', 'Ritchie', 'Johnson', 'Cerf', 'Wilson'];
const CITIES = [['Springfield', 'IL', '62701'], ['Portland', 'OR', '97201'], ['Austin', 'TX', '78701'], ['Madison', 'WI', '53703'], ['Boulder', 'CO', '80302']];
const STREETS = ['Maple Ave', 'Oak St', 'Pine Rd', 'Cedar Ln', 'Elm St', 'Birch Blvd'];
// Issuer test numbers (valid Luhn) — never real cards.
const CARDS = ['4111111111111111', '4012888888881881', '5555555555554444', '5105105105105100', '378282246310005', '6011111111111117', '3530111333300000'];

function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s ^ (s >>> 15), 2246822507) + 0x9e3779b9) >>> 0) / 2 ** 32);
}

export function demoRows(count = 200, seed = 42) {
  const r = rng(seed);
  const pick = (a) => a[Math.floor(r() * a.length)];
  const rows = [];
  for (let i = 1; i <= count; i++) {
    const first = pick(FIRST);
    const last = pick(LAST);
    const [city, state, zip] = pick(CITIES);
    const email = `${first}.${last}${i}@example.com`.toLowerCase().replace(/[^a-z0-9.@-]/g, '');
    const phone = `+1 (${200 + Math.floor(r() * 700)}) 555-${String(1000 + Math.floor(r() * 8999)).padStart(4, '0')}`;
    // Valid SSN ranges: area 001-665 / 667-899, group 01-99, serial 0001-9999.
    const area = 100 + Math.floor(r() * 500);
    const ssn = `${area}-${String(10 + Math.floor(r() * 89))}-${String(1000 + Math.floor(r() * 8999))}`;
    const card = pick(CARDS);
    const orderNo = String(Math.floor(r() * 9e15) + 1e15);
    const notes = [
      `Called from ${phone} about order #${orderNo}; prefers email ${email}.`,
      `Card on file ending ${card.slice(-4)}; updated billing address to ${Math.floor(r() * 900) + 100} ${pick(STREETS)}.`,
      `Customer asked us to remove SSN ${ssn} from the ticket — done.`,
      `Payment retried with card ${card.replace(/(\d{4})(?=\d)/g, '$1 ')} after a decline.`,
      `No issues. Likes the new dashboard; version 2.4.1 deployed from 10.0.0.1-beta build.`,
    ][i % 5];
    rows.push({
      id: i,
      full_name: `${first} ${last}`,
      email,
      phone,
      ssn,
      card_number: card,
      date_of_birth: `19${50 + Math.floor(r() * 50)}-${String(1 + Math.floor(r() * 12)).padStart(2, '0')}-${String(1 + Math.floor(r() * 28)).padStart(2, '0')}`,
      address: `${Math.floor(r() * 900) + 100} ${pick(STREETS)}, ${city}, ${state} ${zip}`,
      notes,
      profile: JSON.stringify({ contact: { email, phone }, tags: ['vip', 'newsletter'].slice(0, 1 + (i % 2)), last_login_ip: `192.168.${i % 255}.${(i * 7) % 255}` }),
      balance_cents: Math.floor(r() * 1_000_000),
    });
  }
  return rows;
}

/** Creates (or refreshes) the demo database's schema and rows. */
export async function seedDemo(url) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query(`
      CREATE TABLE IF NOT EXISTS customers (
        id int PRIMARY KEY,
        full_name text NOT NULL,
        email text NOT NULL,
        phone text,
        ssn text,
        card_number text,
        date_of_birth date,
        address text,
        notes text,
        profile jsonb,
        balance_cents bigint NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      );
      CREATE TABLE IF NOT EXISTS orders (
        id bigserial PRIMARY KEY,
        customer_id int NOT NULL REFERENCES customers(id),
        order_number text NOT NULL,
        amount_cents bigint NOT NULL,
        status text NOT NULL DEFAULT 'paid',
        created_at timestamptz NOT NULL DEFAULT now()
      );
      TRUNCATE orders, customers;
    `);
    const rows = demoRows();
    for (const row of rows) {
      await client.query(
        'INSERT INTO customers (id, full_name, email, phone, ssn, card_number, date_of_birth, address, notes, profile, balance_cents) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)',
        [row.id, row.full_name, row.email, row.phone, row.ssn, row.card_number, row.date_of_birth, row.address, row.notes, row.profile, row.balance_cents],
      );
    }
    await client.query(`INSERT INTO orders (customer_id, order_number, amount_cents, status)
      SELECT 1 + (g % ${rows.length}), 'ORD-' || lpad(g::text, 8, '0'), (g * 137) % 50000, (ARRAY['paid','refunded','shipped'])[1 + g % 3]
      FROM generate_series(1, 1000) g`);
    await client.query('COMMIT');
    return rows.length;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await client.end();
  }
}
