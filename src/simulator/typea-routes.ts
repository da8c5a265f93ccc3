import { connectLogin, logout, sessionToken, verifyTotpRoute } from './rest-auth-routes.ts';
import type { RestDeps, RestRequest, RouteResult } from './rest-context.ts';
import { historical, intraday, scriptMaster } from './rest-data-routes.ts';
import { fail } from './rest-envelope.ts';

/** Routes under /openapi/typea, by method and path. */
export const routeTypeA = (req: RestRequest, deps: RestDeps): RouteResult => {
  const path = req.segments.join('/');
  const [first, second] = req.segments;
  const get = req.method === 'GET';
  const post = req.method === 'POST';
  if (post && path === 'connect/login') return { route: path, reply: connectLogin(req, deps) };
  if (post && path === 'session/token') return { route: path, reply: sessionToken(req, deps) };
  if (post && path === 'session/verifytotp') return { route: path, reply: verifyTotpRoute(req, deps) };
  if (get && path === 'logout') return { route: path, reply: logout(req, deps) };
  if (get && path === 'instruments/scriptmaster') return { route: path, reply: scriptMaster(req, deps) };
  if (get && first === 'instruments' && second === 'historical' && req.segments.length === 5) {
    return historical(req, deps);
  }
  if (get && first === 'instruments' && second === 'intraday' && req.segments.length === 5) {
    return intraday(req, deps);
  }
  return { route: 'unknown', reply: fail(404, `No route for ${req.method} /${path}`, 'GeneralException') };
};
