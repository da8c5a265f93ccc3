import { MConnect } from '@mstock-mirae-asset/nodetradingapi-typea';
import { either as E } from 'fp-ts';
import * as t from 'io-ts';
import type { SimulatorCredentials } from '../../src/simulator/simulator-options.ts';
import { totpAt } from '../../src/simulator/totp-check.ts';

/** A master row as the official SDK's getInstruments() hands it out: every column a string. */
export const SdkMasterRow = t.type({
  instrument_token: t.string,
  exchange_token: t.string,
  tradingsymbol: t.string,
  name: t.string,
  last_price: t.string,
  expiry: t.string,
  strike: t.string,
  tick_size: t.string,
  lot_size: t.string,
  instrument_type: t.string,
  segment: t.string,
  exchange: t.string,
});
export type SdkMasterRow = t.TypeOf<typeof SdkMasterRow>;

const Session = t.type({ data: t.type({ access_token: t.string }) });

/**
 * Logs in with the official m.Stock SDK (TOTP) against `baseUrl` and downloads the instrument
 * master through its getInstruments(), as a user of the SDK would.
 */
export const sdkMaster = async (
  baseUrl: string,
  credentials: SimulatorCredentials,
): Promise<SdkMasterRow[]> => {
  const { user, password, apiKey, totpSecret } = credentials;
  const connect = new MConnect({ api_key: apiKey, baseUrl });
  await connect.login({ username: user, password });
  const session = Session.decode(
    await connect.verifyTOTP({ api_key: apiKey, totp: totpAt(totpSecret, Date.now()) ?? '' }),
  );
  if (E.isLeft(session)) throw new Error('the SDK got no session');
  // The SDK keeps the token of generateSession, not of verifyTOTP: hand it over as a user would.
  connect.setAccessToken(session.right.data.access_token);
  const rows = t.array(SdkMasterRow).decode(await connect.getInstruments());
  if (E.isLeft(rows)) throw new Error('the SDK did not read the master into rows');
  return rows.right;
};
