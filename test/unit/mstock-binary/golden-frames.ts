/**
 * Frames written out byte by byte from ../shared/mstock-protocol.md ("Binary frames"), never
 * produced by the encoder: the decoder must read them (decode-frame-golden) and the simulator's
 * encoder must write them (encode-frame-golden), so neither can drift from the document with the
 * other following it. All integers big-endian ("all integers big-endian, signed 32-bit unless
 * noted"); prices in paise ("Prices ÷100"); times count seconds from 1980-01-01 ("Time").
 *
 * The times: 0x52c3dc94 = 1388567700 s since 1980, which is 2024-01-01 09:15:00 when the count is
 * IST wall-clock and 2024-01-01 09:15:00 UTC when it is UTC; 0x52c3dc92 is two seconds earlier.
 *
 * A frame is `uint16 count`, then `count` times `uint16 length` + packet ("Frame:" line): the
 * frames below spell the header out as `00 01 | <length>` before the body.
 */

/** Equity packet table, offsets 0-40: the 44-byte quote packet, and the head of the full packet. */
export const QUOTE_44_BODY = `
  00 00 2d 10   # 0  instrument token 11536 (TCS)
  00 04 bb 22   # 4  last traded price 310050 paise
  00 00 00 19   # 8  last traded quantity 25
  00 04 ba 73   # 12 average traded price 309875 paise
  00 12 d6 87   # 16 volume traded today 1234567
  00 00 c3 50   # 20 total buy quantity 50000
  00 00 ea 60   # 24 total sell quantity 60000
  00 04 b3 20   # 28 open 308000 paise
  00 04 be d8   # 32 high 311000
  00 04 b1 2c   # 36 low 307500
  00 04 af 38   # 40 close (previous day's) 307000
`;

/**
 * The 184-byte full packet: the quote fields, then offsets 44-60 (times and open interest), then at
 * 64 the depth, "10 entries of 12 bytes, 5 bids then 5 asks: int32 qty, int32 price (paise), int16
 * orders, int16 padding" (written qty | price | orders padding).
 */
export const FULL_184_BODY = `${QUOTE_44_BODY}
  52 c3 dc 92   # 44 last traded time: 09:14:58
  00 00 03 e8   # 48 open interest 1000
  00 00 05 dc   # 52 OI day high 1500
  00 00 03 84   # 56 OI day low 900
  52 c3 dc 94   # 60 exchange timestamp: 09:15:00
  00 00 00 64 | 00 04 bb 1d | 00 01 00 00   # 64  bid 1: 100 @ 310045 paise, 1 order
  00 00 00 c8 | 00 04 bb 18 | 00 02 00 00   # 76  bid 2: 200 @ 310040, 2 orders
  00 00 01 2c | 00 04 bb 13 | 00 03 00 00   # 88  bid 3: 300 @ 310035, 3 orders
  00 00 01 90 | 00 04 bb 0e | 00 04 00 00   # 100 bid 4: 400 @ 310030, 4 orders
  00 00 01 f4 | 00 04 bb 09 | 00 05 00 00   # 112 bid 5: 500 @ 310025, 5 orders
  00 00 00 c8 | 00 04 bb 27 | 00 0a 00 00   # 124 ask 1: 200 @ 310055, 10 orders
  00 00 01 90 | 00 04 bb 2c | 00 0b 00 00   # 136 ask 2: 400 @ 310060, 11 orders
  00 00 02 58 | 00 04 bb 31 | 00 0c 00 00   # 148 ask 3: 600 @ 310065, 12 orders
  00 00 03 20 | 00 04 bb 36 | 00 0d 00 00   # 160 ask 4: 800 @ 310070, 13 orders
  00 00 03 e8 | 00 04 bb 3b | 00 0e 00 00   # 172 ask 5: 1000 @ 310075, 14 orders
`;

/** The 200-byte packet: the full packet, then 184-196 "(200-byte packet only)". */
export const FULL_200_BODY = `${FULL_184_BODY}
  00 05 34 08   # 184 upper circuit 341000 paise
  00 04 37 4c   # 188 lower circuit 276300
  00 05 91 c8   # 192 52-week high 365000
  00 03 d0 9a   # 196 52-week low 250010
`;

/** "8 (ltp = the first two fields)" of the equity packet. */
export const LTP_8_BODY = `
  00 00 2d 10   # 0 instrument token 11536
  00 04 bb 22   # 4 last traded price 310050 paise
`;

/** Index packet, 28 bytes: "token(0), last price(4), high(8), low(12), open(16), close(20), change(24, signed)". */
export const INDEX_28_BODY = `
  00 00 65 90   # 0  token 26000 (NIFTY 50)
  00 20 ce a2   # 4  last price 2150050 paise
  00 20 e2 11   # 8  high 2155025
  00 20 a7 6a   # 12 low 2140010
  00 20 ca 88   # 16 open 2149000
  00 20 93 d8   # 20 close (previous) 2135000
  ff ff cf c7   # 24 change -12345 (signed)
`;

/** Index packet, 32 bytes: the 28-byte fields, a positive change, and "exchange timestamp(28, 32-byte only)". */
export const INDEX_32_BODY = `
  00 00 65 90 | 00 20 ce a2 | 00 20 e2 11 | 00 20 a7 6a | 00 20 ca 88 | 00 20 93 d8   # 0-20 as above
  00 00 30 39   # 24 change +12345
  52 c3 dc 94   # 28 exchange time 09:15:00
`;

/**
 * Index packet, 48 bytes: "token(0), last price(4), three of open/high/low at 8/12/16 (sources
 * disagree on the order: take high = max, low = min, open = the remaining one), close(20), last
 * traded time(24), exchange time(28), upper circuit(32), lower circuit(36), 52-week high(40),
 * 52-week low(44)". The three slots hold low, open, high here, an order no source gives.
 */
export const INDEX_48_BODY = `
  00 00 65 90   # 0  token 26000
  00 20 ce a2   # 4  last price 21500.50
  00 20 a7 6a   # 8  21400.10 (the low, whatever the slot says)
  00 20 ca 88   # 12 21490.00 (the open)
  00 20 e2 11   # 16 21550.25 (the high)
  00 20 93 d8   # 20 previous close 21350
  52 c3 dc 92   # 24 last traded time 09:14:58
  52 c3 dc 94   # 28 exchange time 09:15:00
  00 25 8d 00   # 32 upper circuit 2460928 -> 24609.28
  00 1e 84 80   # 36 lower circuit 2000000 -> 20000
  00 27 10 00   # 40 52-week high 2560000 -> 25600
  00 1a 0b 00   # 44 52-week low 1706752 -> 17067.52
`;

/** One-packet frames: count 1, then the packet's length (8, 44, 184, 200, 28, 32, 48) and body. */
export const LTP_8_FRAME = `00 01 | 00 08 | ${LTP_8_BODY}`;
export const QUOTE_44_FRAME = `00 01 | 00 2c | ${QUOTE_44_BODY}`;
export const FULL_184_FRAME = `00 01 | 00 b8 | ${FULL_184_BODY}`;
export const FULL_200_FRAME = `00 01 | 00 c8 | ${FULL_200_BODY}`;
export const INDEX_28_FRAME = `00 01 | 00 1c | ${INDEX_28_BODY}`;
export const INDEX_32_FRAME = `00 01 | 00 20 | ${INDEX_32_BODY}`;
export const INDEX_48_FRAME = `00 01 | 00 30 | ${INDEX_48_BODY}`;

/** A frame of four packets: count 4, each packet behind its own uint16 length. */
export const FOUR_PACKET_FRAME = `00 04
  00 08 | 00 00 2d 10 | 00 04 bb 22       # TCS ltp 3100.50
  00 08 | 00 00 0b 45 | 00 00 03 e8       # token 2885 ltp 10.00
  00 08 | 00 00 2d 10 | 00 04 bb 27       # TCS ltp 3100.55
  00 1c | 00 00 65 90 | 00 20 ce a2 | 00 20 e2 11 | 00 20 a7 6a | 00 20 ca 88 | 00 20 93 d8 | ff ff cf c7
`;
