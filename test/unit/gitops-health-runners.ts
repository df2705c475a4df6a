/**
 * Runs the health configuration the way the engines do: the ArgoCD Lua in fengari (a Lua VM in
 * JS; ArgoCD runs gopher-lua) with the global `obj`, the Flux CEL in cel-js with the object's
 * top-level fields as variables, in kustomize-controller's order inProgress → failed → current.
 */
import { evaluate } from '@marcbachmann/cel-js';
import { ARGOCD_HEALTH_LUA, FLUX_HEALTH_CHECK_EXPR } from '../../src/gitops/health.js';
// fengari ships no types; the calls below use its C-API names, as documented in its README.
// @ts-expect-error no declaration file
import fengari from 'fengari';

const { lua, lauxlib, lualib, to_luastring } = fengari;

function pushValue(L: unknown, value: unknown): void {
  if (value === null || value === undefined) lua.lua_pushnil(L);
  else if (typeof value === 'boolean') lua.lua_pushboolean(L, value);
  else if (typeof value === 'number') lua.lua_pushnumber(L, value);
  else if (typeof value === 'string') lua.lua_pushstring(L, to_luastring(value));
  else if (Array.isArray(value)) {
    lua.lua_createtable(L, value.length, 0);
    value.forEach((item, i) => {
      pushValue(L, item);
      lua.lua_rawseti(L, -2, i + 1);
    });
  } else {
    lua.lua_createtable(L, 0, 0);
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      pushValue(L, item);
      lua.lua_setfield(L, -2, to_luastring(key));
    }
  }
}

export function runArgoHealth(object: Record<string, unknown>): { status: string; message: string } {
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  pushValue(L, object);
  lua.lua_setglobal(L, to_luastring('obj'));
  if (lauxlib.luaL_loadstring(L, to_luastring(ARGOCD_HEALTH_LUA)) !== lua.LUA_OK || lua.lua_pcall(L, 0, 1, 0) !== lua.LUA_OK) {
    throw new Error(`lua: ${lua.lua_tojsstring(L, -1)}`);
  }
  lua.lua_getfield(L, -1, to_luastring('status'));
  const status = lua.lua_tojsstring(L, -1);
  lua.lua_pop(L, 1);
  lua.lua_getfield(L, -1, to_luastring('message'));
  const message = lua.lua_tojsstring(L, -1);
  return { status, message };
}

/** kustomize-controller's order; an expression that errors (a missing field) means "keep waiting". */
export function runFluxHealth(object: Record<string, unknown>): 'InProgress' | 'Failed' | 'Current' {
  const vars = object as Record<string, unknown>;
  const check = (expr: string): boolean | 'error' => {
    try {
      return evaluate(expr, vars) === true;
    } catch {
      return 'error';
    }
  };
  const inProgress = check(FLUX_HEALTH_CHECK_EXPR.inProgress);
  if (inProgress !== false) return 'InProgress';
  if (check(FLUX_HEALTH_CHECK_EXPR.failed) === true) return 'Failed';
  if (check(FLUX_HEALTH_CHECK_EXPR.current) === true) return 'Current';
  return 'InProgress';
}

