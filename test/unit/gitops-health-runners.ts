/**
 * Runs the health configuration the way the engines do: the ArgoCD Lua in fengari (a Lua VM in
 * JS; ArgoCD runs gopher-lua) with the global `obj` and only the libraries Argo CD opens for an
 * argocd-cm script; the Flux CEL in cel-js with the object's top-level fields as variables,
 * after Flux's own generation gate, in kustomize-controller's order inProgress → failed → current.
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
  // gopher-lua has one number type and prints 1.0 as "1"; Lua 5.3 does so for integers only
  // (fengari's integers are 32-bit).
  else if (typeof value === 'number') (Number.isInteger(value) && Math.abs(value) < 2 ** 31 ? lua.lua_pushinteger : lua.lua_pushnumber)(L, value);
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

/**
 * The VM of argoproj/argo-cd util/lua/lua.go @ 37ee0097 (runLuaWithResourceActionParameters)
 * for a script without useOpenLibs: SkipOpenLibs, then only package, base and table are
 * opened, and `os` is a preloaded module holding time and date (util/lua/oslib_safe.go).
 * No string, math, io, coroutine or debug library: a script calling string.format fails here
 * as it fails in Argo CD.
 */
function argoCdState(): unknown {
  const L = lauxlib.luaL_newstate();
  const open = (name: string, opener: unknown): void => {
    lauxlib.luaL_requiref(L, to_luastring(name), opener, 1);
    lua.lua_pop(L, 1);
  };
  open('package', lualib.luaopen_package);
  open('_G', lualib.luaopen_base);
  open('table', lualib.luaopen_table);
  lua.lua_getglobal(L, to_luastring('package'));
  lua.lua_getfield(L, -1, to_luastring('preload'));
  lua.lua_pushcfunction(L, (state: unknown) => {
    lualib.luaopen_os(state);
    lua.lua_createtable(state, 0, 2);
    for (const name of ['time', 'date']) {
      lua.lua_getfield(state, -2, to_luastring(name));
      lua.lua_setfield(state, -2, to_luastring(name));
    }
    return 1;
  });
  lua.lua_setfield(L, -2, to_luastring('os'));
  lua.lua_pop(L, 2);
  return L;
}

export function runLuaInArgoCdVm(script: string, object: Record<string, unknown>): unknown {
  const L = argoCdState();
  pushValue(L, object);
  lua.lua_setglobal(L, to_luastring('obj'));
  if (lauxlib.luaL_loadstring(L, to_luastring(script)) !== lua.LUA_OK || lua.lua_pcall(L, 0, 1, 0) !== lua.LUA_OK) {
    throw new Error(`lua: ${lua.lua_tojsstring(L, -1)}`);
  }
  return L;
}

export function runArgoHealth(object: Record<string, unknown>): { status: string; message: string } {
  const L = argoCdState();
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

/**
 * fluxcd/pkg runtime/cel/status_evaluator.go Evaluate: its own observedGeneration gate first,
 * then inProgress → failed → current; an expression that errors (it read a missing field) is
 * returned as an error, which Flux reports on the Kustomization — so it throws here.
 */
export function runFluxHealth(object: Record<string, unknown>): 'InProgress' | 'Failed' | 'Current' {
  const status = object['status'] as { observedGeneration?: unknown } | undefined;
  const generation = (object['metadata'] as { generation?: unknown } | undefined)?.generation;
  if (Number.isInteger(status?.observedGeneration) && Number.isInteger(generation) && status!.observedGeneration !== generation) return 'InProgress';
  const check = (expr: string): boolean => {
    try {
      return evaluate(expr, object) === true;
    } catch (error) {
      throw new Error(`failed to evaluate the CEL expression '${expr}': ${(error as Error).message.split('\n')[0]}`);
    }
  };
  if (check(FLUX_HEALTH_CHECK_EXPR.inProgress)) return 'InProgress';
  if (check(FLUX_HEALTH_CHECK_EXPR.failed)) return 'Failed';
  if (check(FLUX_HEALTH_CHECK_EXPR.current)) return 'Current';
  return 'InProgress';
}

