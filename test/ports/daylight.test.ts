import { getTimes } from 'suncalc';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { fixedHoursDaylight, sunDaylight } from '../../src/ports/daylight.js';

const lock = { id: 'front', name: 'Front' };
const MINUTE = 60_000;
const BERLIN = { latitude: 52.52, longitude: 13.405 };
const NEW_YORK = { latitude: 40.71, longitude: -74.01 };

/** An instant given as UTC wall time; Berlin is UTC+2 in summer (CEST), UTC+1 in winter (CET). */
const utc = (year: number, month: number, day: number, hour: number, minute = 0) =>
  Date.UTC(year, month - 1, day, hour, minute);

/** suncalc's sunrise and sunset for the solar day around an instant, as ms (a cross-check only). */
function sunTimes(at: number, where: { latitude: number; longitude: number }) {
  const times = getTimes(new Date(at), where.latitude, where.longitude);
  if (times.sunrise === null || times.sunset === null) throw new Error('no sunrise or sunset');
  return { sunrise: times.sunrise.getTime(), sunset: times.sunset.getTime() };
}

/** The error a call throws, for checking its field. */
function thrown(fn: () => unknown): InvalidArgumentError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    return error as InvalidArgumentError;
  }
  throw new Error('it did not throw');
}

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

describe('night by sun offsets', () => {
  it('night starts 30 minutes after sunset with an offset', () => {
    const plain = sunDaylight(BERLIN);
    const berlin = sunDaylight({ ...BERLIN, nightStartsAfterSunsetMinutes: 30 });
    // 1 June 2026 in Berlin: sunset about 21:19 CEST (19:19 UTC)
    expect(plain(lock, utc(2026, 6, 1, 19, 45))).toBe(false); // 21:45 local: the sun is down
    expect(berlin(lock, utc(2026, 6, 1, 19, 45))).toBe(true); // ... but night starts only at about 21:49
    expect(berlin(lock, utc(2026, 6, 1, 19, 55))).toBe(false); // 21:55 local
    expect(berlin(lock, utc(2026, 6, 1, 10, 0))).toBe(true); // 12:00 local
    expect(berlin(lock, utc(2026, 6, 1, 22, 30))).toBe(false); // 00:30 local, 2 June

    const { sunset } = sunTimes(utc(2026, 6, 1, 12), BERLIN);
    expect(berlin(lock, sunset + 30 * MINUTE - 1)).toBe(true);
    expect(berlin(lock, sunset + 30 * MINUTE)).toBe(false);
  });

  it('night ends 45 minutes before sunrise with an offset', () => {
    const berlin = sunDaylight({ ...BERLIN, nightEndsBeforeSunriseMinutes: 45 });
    // 2 June 2026 in Berlin: sunrise about 04:49 CEST (02:49 UTC)
    expect(berlin(lock, utc(2026, 6, 2, 1, 55))).toBe(false); // 03:55 local
    expect(berlin(lock, utc(2026, 6, 2, 2, 10))).toBe(true); // 04:10 local: still before sunrise, but day

    const { sunrise } = sunTimes(utc(2026, 6, 2, 12), BERLIN);
    expect(berlin(lock, sunrise - 45 * MINUTE - 1)).toBe(false);
    expect(berlin(lock, sunrise - 45 * MINUTE)).toBe(true);
  });

  it("a night crossing midnight runs from yesterday's sunset to today's sunrise, whatever the UTC date", () => {
    // New York is UTC-4 in June: the evening is already the next UTC day
    const newYork = sunDaylight({ ...NEW_YORK, nightStartsAfterSunsetMinutes: 60, nightEndsBeforeSunriseMinutes: 60 });
    // sunset 1 June about 20:21 EDT; sunrise 2 June about 05:27 EDT
    expect(newYork(lock, utc(2026, 6, 1, 16))).toBe(true); // 12:00 local
    expect(newYork(lock, utc(2026, 6, 2, 1, 15))).toBe(true); // 21:15 local, 1 June
    expect(newYork(lock, utc(2026, 6, 2, 1, 30))).toBe(false); // 21:30 local
    expect(newYork(lock, utc(2026, 6, 2, 4, 30))).toBe(false); // 00:30 local, 2 June
    expect(newYork(lock, utc(2026, 6, 2, 8, 20))).toBe(false); // 04:20 local
    expect(newYork(lock, utc(2026, 6, 2, 8, 30))).toBe(true); // 04:30 local
  });

  it('negative offsets start the night before sunset and end it after sunrise', () => {
    const berlin = sunDaylight({ ...BERLIN, nightStartsAfterSunsetMinutes: -60, nightEndsBeforeSunriseMinutes: -60 });
    expect(berlin(lock, utc(2026, 6, 1, 18, 30))).toBe(false); // 20:30 local, the sun still up
    expect(berlin(lock, utc(2026, 6, 1, 18, 0))).toBe(true); // 20:00 local
    expect(berlin(lock, utc(2026, 6, 2, 3, 30))).toBe(false); // 05:30 local, the sun already up
    expect(berlin(lock, utc(2026, 6, 2, 4, 0))).toBe(true); // 06:00 local
  });

  it('the largest offsets still find the night that reaches now', () => {
    // Berlin in December: sunset about 15:52 CET, then about 16 hours of dark; 12 hours later is 03:52
    const { sunset } = sunTimes(utc(2026, 12, 15, 12), BERLIN);
    const late = sunDaylight({ ...BERLIN, nightStartsAfterSunsetMinutes: 720 });
    expect(late(lock, utc(2026, 12, 15, 23))).toBe(true); // 00:00 local
    expect(late(lock, utc(2026, 12, 16, 4))).toBe(false); // 05:00 local
    expect(late(lock, sunset + 720 * MINUTE - 1)).toBe(true);
    expect(late(lock, sunset + 720 * MINUTE)).toBe(false);

    // Berlin in June: sunrise about 04:49 CEST; a night that ends 12 hours after it ends at about 16:49
    const { sunrise } = sunTimes(utc(2026, 6, 2, 12), BERLIN);
    const early = sunDaylight({ ...BERLIN, nightEndsBeforeSunriseMinutes: -720 });
    expect(early(lock, utc(2026, 6, 2, 10))).toBe(false); // 12:00 local
    expect(early(lock, utc(2026, 6, 2, 16))).toBe(true); // 18:00 local
    expect(early(lock, sunrise + 720 * MINUTE - 1)).toBe(false);
    expect(early(lock, sunrise + 720 * MINUTE)).toBe(true);
  });

  it('offsets that leave no night make it day all night', () => {
    // Berlin in June: about 7.5 hours from sunset to sunrise; 4 + 4 hours of offsets leave nothing
    const berlin = sunDaylight({ ...BERLIN, nightStartsAfterSunsetMinutes: 240, nightEndsBeforeSunriseMinutes: 240 });
    for (let at = utc(2026, 6, 1, 18); at <= utc(2026, 6, 2, 4); at += 10 * MINUTE) {
      expect(berlin(lock, at)).toBe(true);
    }
    // in December the night is long enough for both
    expect(berlin(lock, utc(2026, 12, 15, 23))).toBe(false); // 00:00 local
  });

  it('in polar day and polar night the sun position decides, offsets or not', () => {
    const tromso = sunDaylight({
      latitude: 69.65,
      longitude: 18.96,
      nightStartsAfterSunsetMinutes: 30,
      nightEndsBeforeSunriseMinutes: 30,
    });
    expect(tromso(lock, utc(2026, 6, 21, 23))).toBe(true);
    expect(tromso(lock, utc(2026, 12, 21, 11))).toBe(false);
  });

  it('offsets of 0 answer exactly as without offsets', () => {
    const plain = sunDaylight(BERLIN);
    const zero = sunDaylight({ ...BERLIN, nightStartsAfterSunsetMinutes: 0, nightEndsBeforeSunriseMinutes: 0 });
    for (let at = utc(2026, 3, 20, 0); at < utc(2026, 3, 22, 0); at += 7 * MINUTE) {
      expect(zero(lock, at)).toBe(plain(lock, at));
    }
  });

  it('refuses offsets that are not whole minutes within 12 hours, naming the field', () => {
    for (const bad of [721, -721, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '30', null]) {
      const error = thrown(() => sunDaylight({ ...BERLIN, nightStartsAfterSunsetMinutes: bad as number }));
      expect(error.field).toBe('daylight.nightStartsAfterSunsetMinutes');
      expect(error.code).toBe('INVALID_ARGUMENT');
    }
    const error = thrown(() => sunDaylight({ ...BERLIN, nightEndsBeforeSunriseMinutes: 800 }));
    expect(error.field).toBe('daylight.nightEndsBeforeSunriseMinutes');
    expect(error.message).toMatch(/daylight\.nightEndsBeforeSunriseMinutes: 800/);
    expect(() => sunDaylight({ ...BERLIN, nightStartsAfterSunsetMinutes: -720 })).not.toThrow();
  });
});

describe('night by fixed local hours', () => {
  it('fixed hours cross midnight in the given time zone', () => {
    const berlin = fixedHoursDaylight({ nightStart: '22:00', nightEnd: '06:30', timeZone: 'Europe/Berlin' });
    // 15 January 2026: Berlin is UTC+1
    expect(berlin(lock, utc(2026, 1, 15, 11))).toBe(true); // 12:00 local
    expect(berlin(lock, utc(2026, 1, 15, 20, 59))).toBe(true); // 21:59 local
    expect(berlin(lock, utc(2026, 1, 15, 21))).toBe(false); // 22:00 local
    expect(berlin(lock, utc(2026, 1, 15, 23, 30))).toBe(false); // 00:30 local, 16 January
    expect(berlin(lock, utc(2026, 1, 16, 5, 29) + 59_999)).toBe(false); // 06:29:59.999 local
    expect(berlin(lock, utc(2026, 1, 16, 5, 30))).toBe(true); // 06:30 local

    // the same instants in New York (UTC-5 in January)
    const newYork = fixedHoursDaylight({ nightStart: '22:00', nightEnd: '06:30', timeZone: 'America/New_York' });
    expect(newYork(lock, utc(2026, 1, 15, 23, 30))).toBe(true); // 18:30 local
    expect(newYork(lock, utc(2026, 1, 16, 5, 30))).toBe(false); // 00:30 local
    expect(newYork(lock, utc(2026, 1, 16, 11, 29))).toBe(false); // 06:29 local
    expect(newYork(lock, utc(2026, 1, 16, 11, 30))).toBe(true); // 06:30 local
  });

  it('a DST change keeps fixed hours local', () => {
    const berlin = fixedHoursDaylight({ nightStart: '22:00', nightEnd: '06:30', timeZone: 'Europe/Berlin' });
    // spring: clocks go from 02:00 CET to 03:00 CEST on 29 March 2026; the same UTC time is an hour later
    expect(berlin(lock, utc(2026, 3, 28, 5, 15))).toBe(false); // 06:15 CET
    expect(berlin(lock, utc(2026, 3, 29, 5, 15))).toBe(true); // 07:15 CEST
    expect(berlin(lock, utc(2026, 3, 29, 4, 15))).toBe(false); // 06:15 CEST
    // autumn: clocks go from 03:00 CEST back to 02:00 CET on 25 October 2026
    expect(berlin(lock, utc(2026, 10, 24, 5, 15))).toBe(true); // 07:15 CEST
    expect(berlin(lock, utc(2026, 10, 25, 5, 15))).toBe(false); // 06:15 CET
    expect(berlin(lock, utc(2026, 10, 25, 5, 30))).toBe(true); // 06:30 CET
    expect(berlin(lock, utc(2026, 10, 24, 20))).toBe(false); // 22:00 CEST
    expect(berlin(lock, utc(2026, 10, 25, 20, 59))).toBe(true); // 21:59 CET
  });

  it('a night that starts in the hour a DST change skips starts when the clock passes it', () => {
    const berlin = fixedHoursDaylight({ nightStart: '02:30', nightEnd: '05:00', timeZone: 'Europe/Berlin' });
    expect(berlin(lock, utc(2026, 3, 29, 0, 59))).toBe(true); // 01:59 CET
    expect(berlin(lock, utc(2026, 3, 29, 1, 0))).toBe(false); // 03:00 CEST: 02:30 never showed
    expect(berlin(lock, utc(2026, 3, 29, 3, 0))).toBe(true); // 05:00 CEST
  });

  it('fixed hours within one day are night between them only', () => {
    const siesta = fixedHoursDaylight({ nightStart: '13:00', nightEnd: '15:00', timeZone: 'UTC' });
    expect(siesta(lock, utc(2026, 7, 1, 12, 59))).toBe(true);
    expect(siesta(lock, utc(2026, 7, 1, 13))).toBe(false);
    expect(siesta(lock, utc(2026, 7, 1, 14, 59))).toBe(false);
    expect(siesta(lock, utc(2026, 7, 1, 15))).toBe(true);
    expect(siesta(lock, utc(2026, 7, 1, 0, 30))).toBe(true);
  });

  it('the same start and end time is never night', () => {
    const never = fixedHoursDaylight({ nightStart: '22:00', nightEnd: '22:00', timeZone: 'Europe/Berlin' });
    for (let at = utc(2026, 1, 15, 0); at < utc(2026, 1, 16, 0); at += 13 * MINUTE) {
      expect(never(lock, at)).toBe(true);
    }
  });

  it("uses the process's time zone when none is given", () => {
    const zone = new Intl.DateTimeFormat().resolvedOptions().timeZone;
    const local = fixedHoursDaylight({ nightStart: '22:00', nightEnd: '06:30' });
    const explicit = fixedHoursDaylight({ nightStart: '22:00', nightEnd: '06:30', timeZone: zone });
    for (let at = utc(2026, 1, 15, 0); at < utc(2026, 1, 16, 0); at += 17 * MINUTE) {
      expect(local(lock, at)).toBe(explicit(lock, at));
    }
  });

  it('refuses a time that is not HH:MM, naming the field', () => {
    for (const bad of ['24:00', '7:00', '07:60', '07:00:00', ' 07:00', '', 700, undefined]) {
      const error = thrown(() => fixedHoursDaylight({ nightStart: bad as string, nightEnd: '06:00' }));
      expect(error.field).toBe('daylight.nightStart');
    }
    const error = thrown(() => fixedHoursDaylight({ nightStart: '22:00', nightEnd: '6.30' }));
    expect(error.field).toBe('daylight.nightEnd');
    expect(error.message).toMatch(/daylight\.nightEnd: "6\.30"/);
  });

  it('refuses an unknown time zone, naming the field', () => {
    for (const bad of ['Mars/Olympus_Mons', '', 42]) {
      const error = thrown(() =>
        fixedHoursDaylight({ nightStart: '22:00', nightEnd: '06:00', timeZone: bad as string }),
      );
      expect(error.field).toBe('daylight.timeZone');
    }
    expect(thrown(() => fixedHoursDaylight(null as never)).field).toBe('daylight');
  });
});
