import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeCommand,
  encodeCommand,
  MAX_COMMAND_BYTES,
  RAW_SHOWN_CHARS,
} from '../../../src/ports/command-bus/command-wire.ts';
import { CANDLE_INTERVAL_MINUTES, type CandleInterval } from '../../../src/domain/candle.ts';
import { instrumentToken } from '../../../src/domain/instrument.ts';
import type { SystemCommand } from '../../../src/domain/system-command.ts';

const reasonOf = (raw: string): string => {
  const r = decodeCommand(raw);
  if (r.kind !== 'rejected') throw new Error(`expected a rejection, got ${JSON.stringify(r)}`);
  return r.reason;
};

describe('decodeCommand', () => {
  it('reads the plain START_BACKFILL with surrounding whitespace', () => {
    for (const raw of ['START_BACKFILL', ' START_BACKFILL', 'START_BACKFILL\r\n', '\tSTART_BACKFILL '])
      expect(decodeCommand(raw)).toEqual({ kind: 'command', command: { type: 'StartBackfill' } });
  });

  it('is case-sensitive, as the seed is, and says so', () => {
    expect(reasonOf('start_backfill')).toContain('case-sensitive');
    expect(reasonOf('Start_Backfill')).toContain('case-sensitive');
    expect(reasonOf('{"command":"start_backfill"}')).toContain('unknown command');
  });

  it('reads REFRESH_INSTRUMENTS, plain or as JSON, and refuses it with fields or in lower case', () => {
    const refresh = { kind: 'command', command: { type: 'RefreshInstruments' } };
    expect(decodeCommand(' REFRESH_INSTRUMENTS\n')).toEqual(refresh);
    expect(decodeCommand('{"command":"REFRESH_INSTRUMENTS"}')).toEqual(refresh);
    expect(decodeCommand(encodeCommand({ type: 'RefreshInstruments' }))).toEqual(refresh);
    expect(reasonOf('{"command":"REFRESH_INSTRUMENTS","days":5}')).toBe(
      'REFRESH_INSTRUMENTS takes no field: days',
    );
    expect(reasonOf('refresh_instruments')).toBe('commands are case-sensitive: expected REFRESH_INSTRUMENTS');
  });

  it('reads every field of the JSON form, tokens as strings or numbers', () => {
    expect(
      decodeCommand(
        '{"command":"START_BACKFILL","days":5,"tokens":["26000",2885],"interval":"minute","id":"a-1"}',
      ),
    ).toEqual({
      kind: 'command',
      command: { type: 'StartBackfill', id: 'a-1', days: 5, tokens: ['26000', '2885'], interval: 'minute' },
    });
  });

  it('drops repeated tokens, keeping the first order', () => {
    const r = decodeCommand('{"command":"START_BACKFILL","tokens":["2885",26000,2885,"26000"]}');
    expect(r).toEqual({ kind: 'command', command: { type: 'StartBackfill', tokens: ['2885', '26000'] } });
  });

  it('accepts days from 1 to 60 and nothing else', () => {
    expect(decodeCommand('{"command":"START_BACKFILL","days":1}').kind).toBe('command');
    expect(decodeCommand('{"command":"START_BACKFILL","days":60}').kind).toBe('command');
    for (const days of ['0', '61', '2.5', '-1', '"5"', 'null'])
      expect(reasonOf(`{"command":"START_BACKFILL","days":${days}}`)).toContain(
        'days: expected an integer from 1 to 60',
      );
  });

  it('accepts every candle interval and refuses others', () => {
    for (const interval of Object.keys(CANDLE_INTERVAL_MINUTES))
      expect(decodeCommand(JSON.stringify({ command: 'START_BACKFILL', interval })).kind).toBe('command');
    expect(reasonOf('{"command":"START_BACKFILL","interval":"2minute"}')).toContain(
      'interval: expected one of minute|',
    );
  });

  it('refuses tokens that are not instrument tokens, naming the position', () => {
    expect(reasonOf('{"command":"START_BACKFILL","tokens":["26000","RELIANCE"]}')).toContain(
      'tokens.1: expected an instrument token',
    );
    expect(reasonOf('{"command":"START_BACKFILL","tokens":[0]}')).toContain('tokens.0');
    expect(reasonOf('{"command":"START_BACKFILL","tokens":[1.5]}')).toContain('tokens.0');
    expect(reasonOf('{"command":"START_BACKFILL","tokens":["2147483648"]}')).toContain('tokens.0');
    expect(reasonOf('{"command":"START_BACKFILL","tokens":[]}')).toContain('tokens: expected a list of 1 to');
    expect(reasonOf('{"command":"START_BACKFILL","tokens":"26000"}')).toContain('tokens');
  });

  it('refuses ids that would not be safe as file names', () => {
    for (const id of ['', '../x', 'a/b', '.x', 'a b', 'x'.repeat(129)])
      expect(reasonOf(JSON.stringify({ command: 'START_BACKFILL', id }))).toContain('id: expected');
  });

  it('refuses unknown fields rather than ignoring a typo', () => {
    expect(reasonOf('{"command":"START_BACKFILL","day":3}')).toBe('unknown field(s): day');
  });

  it('refuses what is not a command, with a reason', () => {
    expect(reasonOf('')).toBe('empty message');
    expect(reasonOf('STOP')).toContain('unknown command');
    expect(reasonOf('{"command":"STOP"}')).toBe('unknown command "STOP"');
    expect(reasonOf('{"days":5}')).toBe('missing field "command"');
    expect(reasonOf('{not json')).toContain('not JSON');
    expect(reasonOf('[1,2]')).toContain('JSON object');
    expect(reasonOf('"START_BACKFILL"')).toContain('unknown command');
  });

  it('refuses an oversized message without parsing it, keeping only the first characters', () => {
    const raw = `{"command":"START_BACKFILL","id":"${'a'.repeat(MAX_COMMAND_BYTES)}"}`;
    const r = decodeCommand(raw);
    expect(r.kind === 'rejected' && r.reason).toMatch(/^message too large/);
    expect(r.kind === 'rejected' && r.raw.length).toBe(RAW_SHOWN_CHARS);
  });

  it('keeps at most 200 characters of a rejected message, without splitting a character', () => {
    const raw = '€'.repeat(150) + '😀'.repeat(100);
    const r = decodeCommand(raw);
    if (r.kind !== 'rejected') throw new Error('expected a rejection');
    expect(Array.from(r.raw)).toHaveLength(200);
    expect(raw.startsWith(r.raw)).toBe(true);
    expect(r.raw.endsWith('😀')).toBe(true);
  });

  it('never throws and keeps rejected text short, whatever arrives', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 400 }), fc.json(), fc.string({ unit: 'binary', maxLength: 400 })),
        (raw) => {
          const r = decodeCommand(raw);
          if (r.kind === 'rejected') expect(Array.from(r.raw).length).toBeLessThanOrEqual(RAW_SHOWN_CHARS);
        },
      ),
    );
  });
});

describe('encodeCommand', () => {
  const intervals = Object.keys(CANDLE_INTERVAL_MINUTES) as CandleInterval[];
  const command: fc.Arbitrary<SystemCommand> = fc
    .record(
      {
        id: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,20}$/),
        days: fc.integer({ min: 1, max: 60 }),
        tokens: fc.uniqueArray(fc.integer({ min: 1, max: 0x7fffffff }), { minLength: 1, maxLength: 60 }),
        interval: fc.constantFrom(...intervals),
      },
      { requiredKeys: [] },
    )
    .map(({ tokens, ...rest }) => ({
      type: 'StartBackfill' as const,
      ...rest,
      ...(tokens === undefined ? {} : { tokens: tokens.map(instrumentToken) }),
    }));

  it('writes the JSON form, which decodes to the same command', () => {
    fc.assert(
      fc.property(command, (c) => {
        expect(decodeCommand(encodeCommand(c))).toEqual({ kind: 'command', command: c });
      }),
    );
  });

  it('writes the fields the seed documents', () => {
    expect(
      JSON.parse(
        encodeCommand({
          type: 'StartBackfill',
          id: 'x',
          days: 5,
          tokens: [instrumentToken(26000)],
          interval: 'day',
        }),
      ),
    ).toEqual({ command: 'START_BACKFILL', id: 'x', days: 5, tokens: ['26000'], interval: 'day' });
  });
});
