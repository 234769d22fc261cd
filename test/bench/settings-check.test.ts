import { describe, expect, it } from 'vitest';
import {
  nearestKey,
  parseSettings,
  readSettings,
  SettingsError,
  settingsProblem,
} from '../../src/bench/settings.js';

const env = (value: string) => ({ STAC_BENCH_SETTINGS: value });

describe('STAC_BENCH_SETTINGS', () => {
  it("refuses an unknown key and names the near one: 'format' for 'formats'", () => {
    expect(settingsProblem(env('{"format":["ndjson"]}'))).toBe(
      "STAC_BENCH_SETTINGS: unknown key 'format' (did you mean 'formats'?)",
    );
  });

  it('refuses an unknown nested key with its path, and a key with no near one without a guess', () => {
    expect(settingsProblem(env('{"api":{"latency":0}}'))).toBe(
      "STAC_BENCH_SETTINGS: unknown key 'api.latency' (did you mean 'api.latencyMs'?)",
    );
    expect(settingsProblem(env('{"zzzzzzzz":1}'))).toBe("STAC_BENCH_SETTINGS: unknown key 'zzzzzzzz'");
  });

  it('refuses invalid JSON, a value of the wrong kind and an unknown format, each in one line', () => {
    for (const [raw, why] of [
      ['{"testSize":', /^STAC_BENCH_SETTINGS is not valid JSON \(/],
      ['[1]', /^STAC_BENCH_SETTINGS must be a JSON object, got array$/],
      ['{"samples":"3"}', /^STAC_BENCH_SETTINGS: 'samples' must be number, got string$/],
      ['{"formats":["geojson"]}', /^STAC_BENCH_SETTINGS: formats: unknown format 'geojson'/],
    ] as const) {
      const problem = settingsProblem(env(raw));
      expect(problem).toMatch(why);
      expect(problem).not.toContain('\n');
    }
    expect(() => readSettings(env('{"format":[]}'))).toThrow(SettingsError);
  });

  it('accepts the settings the CLI writes, and null where a key may be null', () => {
    expect(settingsProblem(env('{"testSize":1000,"formats":["ndjson"],"api":{"enabled":false}}'))).toBeNull();
    expect(parseSettings('{"pipeline":{"samples":null},"directory":"/tmp/x"}')).toBeTruthy();
    expect(settingsProblem({})).toBeNull();
  });

  it('suggests a key only when it is near', () => {
    expect(nearestKey('warmup', ['warmups', 'samples'])).toBe('warmups');
    expect(nearestKey('x', ['warmups', 'samples'])).toBeNull();
  });
});
