import { describe, expect, it } from 'vitest';
import { sunDaylight } from '../../src/ports/daylight.js';

const lock = { id: 'front', name: 'Front' };

describe('built-in daylight source', () => {
  it('is day at noon and night at midnight in Amsterdam', () => {
    const amsterdam = sunDaylight({ latitude: 52.37, longitude: 4.89 });
    expect(amsterdam(lock, Date.UTC(2026, 5, 1, 11, 0))).toBe(true);
    expect(amsterdam(lock, Date.UTC(2026, 5, 1, 23, 0))).toBe(false);
  });

  it('holds in polar day and polar night, where there is no sunrise', () => {
    const tromso = sunDaylight({ latitude: 69.65, longitude: 18.96 });
    expect(tromso(lock, Date.UTC(2026, 5, 21, 23, 0))).toBe(true);
    expect(tromso(lock, Date.UTC(2026, 11, 21, 11, 0))).toBe(false);
  });

  it('refuses coordinates out of range, naming the field', () => {
    expect(() => sunDaylight({ latitude: 91, longitude: 0 })).toThrow(/daylight\.latitude: 91/);
    expect(() => sunDaylight({ latitude: 0, longitude: Number.NaN })).toThrow(/daylight\.longitude/);
  });
});
