/**
 * JSON/JSONB documents. Markers sit inside string tokens (or replace a number
 * token for cards stored as JSON numbers), so expected spans are in raw JSON
 * text coordinates, as maskText reports them.
 */
import { type Fake, mark } from './fakes';

const q = (s: string): string => `"${s}"`;

export const JSON_DOCS: ReadonlyArray<(f: Fake) => string> = [
  (f) => `{"id":${f.int(1, 99999)},"email":${q(f.email())},"name":${q(f.name())},"created":${q(f.timestamp())}}`,
  (f) => `{"customer":{"contact":{"phone":${q(f.phone())},"alt":${q(f.phone())}},"tier":"gold"},"score":${f.int(1, 99)}.5}`,
  (f) => `{"payment":{"card":${q(f.card())},"last4":${q(f.truncatedCard())},"amount":${f.int(1, 999)}.99,"currency":"EUR"}}`,
  (f) => `{"payment":{"pan":${mark('CARD', f.cardDigits())},"order":${q(f.orderNumber())},"order_no":${f.orderNumber()}}}`,
  (f) => `[{"iban":${q(f.iban())},"bic":"DEUTDEFF"},{"iban":${q(f.iban())},"bic":"COBADEFFXXX"}]`,
  (f) => `{"event":"login","ip":${q(f.ip())},"request_id":${q(f.uuid())},"ts":${f.epoch()}}`,
  (f) => `{"ssn":${q(mark('SSN', f.ssnRaw('')))},"dob_checked":true,"agent":${q(f.first())}}`,
  (f) => `{"tax":{"us_ssn":${q(f.ssn())}},"notes":"verified by phone"}`,
  (f) => `{"aws":{"aws_access_key_id":${q(f.awsKey())},"aws_secret_access_key":${q(mark('AWS_SECRET_KEY', f.awsSecretRaw()))},"region":"eu-west-1"}}`,
  (f) => `{"integrations":{"github":${q(f.github())},"gitlab":${q(f.gitlab())},"slack":${q(f.slack())}}}`,
  (f) => `{"headers":{"authorization":${q('Bearer ' + f.jwt())},"x-request-id":${q(f.uuid())}}}`,
  (f) => `{"key":${q(f.pem().replace(/\n/g, '\\n'))}}`,
  (f) => `{"comment":${q(`ping ${f.email()} or ${f.phone()} re: order ${f.orderNumber()}`)},"tags":["vip","emea"]}`,
  (f) => `{${q(f.email())}:{"role":"admin","since":${q(f.timestamp())}},${q(f.email())}:{"role":"viewer"}}`,
  (f) => `{"build":{"version":${q(f.version())},"commit":${q(f.hex(40))},"checksum":${q(f.hex(64))}}}`,
  (f) => `{"items":[{"sku":"A-${f.digits(5)}","qty":${f.int(1, 9)}},{"sku":"B-${f.digits(5)}","qty":${f.int(1, 9)}}],"total":${f.int(10, 999)}.${f.digits(2)}}`,
  (f) => `{"peers":[${q(f.ip())},${q(f.ip())},${q(f.ip())}],"port":5432}`,
  (f) => `{"profile":{"emails":[${q(f.email())},${q(f.email())}],"phones":[${q(f.phone())}],"address":${q(`${f.street()}, ${f.city()}`)}}}`,
  (f) => `{"audit":[{"at":${f.epoch()},"by":${q(f.uuid())},"what":"update"},{"at":${f.epoch()},"by":${q(f.uuid())},"what":"delete"}]}`,
  (f) => `{"msg":"rotated key ${mark('AWS_ACCESS_KEY', 'AKIA' + f.chars(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'))}","level":"warn","nested":{"deep":{"deeper":{"mail":${q(f.email())}}}}}`,
  (f) => `[${f.int(1, 9)}, ${f.int(10, 99)}, ${f.epoch()}, "${f.hex(8)}", null, true, {"x": 1.0e3}]`,
];
