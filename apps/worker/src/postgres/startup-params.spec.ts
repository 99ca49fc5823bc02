import { describe, expect, it } from 'vitest';
import { optionSettings, splitOptions, upstreamParameters } from './startup-params';

describe('startup parameters forwarded upstream', () => {
  it('splits options like pg_split_opts', () => {
    expect(splitOptions('  -c  a=b\\ c   --x=y ')).toEqual(['-c', 'a=b c', '--x=y']);
    expect(optionSettings('-c a=1 -cb=2 --c-d=3 -v 4')).toEqual([['a', '1'], ['b', '2'], ['c_d', '3']]);
  });

  it('keeps session settings, drops identity and replication, explicit parameters win over options', () => {
    const { params, dropped } = upstreamParameters({
      user: 'agent', database: 'demo', options: '-c statement_timeout=1s -c role=admin --search_path=x', statement_timeout: '2s', replication: 'database', TimeZone: 'UTC', _pq_x: undefined,
    });
    expect(params).toEqual({ statement_timeout: '2s', search_path: 'x', TimeZone: 'UTC' });
    expect(dropped).toEqual(['options:role', 'replication']);
  });
});
