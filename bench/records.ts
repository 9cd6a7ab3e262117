/**
 * Generated records shaped like a real API: nested objects, a list, nulls, timestamps, integers and
 * decimals that JSON writes alike. About 210 bytes a record, deterministic for a given count.
 */
export function generateRecordsJson(count: number): string {
  let seed = 1234567;
  const random = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const conditions = ['Sunny', 'Partly cloudy', 'Overcast', 'Light rain'];
  const parts: string[] = [];
  const start = Date.parse('2026-11-25T00:00:00Z');
  for (let i = 0; i < count; i++) {
    const temp = Math.round((5 + random() * 25) * 10) / 10;
    const record = {
      id: i,
      station: { name: `station-${i % 997}`, lat: -37.5 + (i % 100) / 1000, lon: 145.7 },
      observed_at: new Date(start + i * 1000).toISOString(),
      temp_c: temp,
      humidity: Math.floor(random() * 100),
      wind: { kph: Math.round(random() * 400) / 10, dir: 'NNE' },
      condition: { text: conditions[i % 4], code: 1000 + (i % 4) },
      tags: i % 3 === 0 ? ['coastal', 'auto'] : ['auto'],
      gust_kph: i % 5 === 0 ? null : Math.round(random() * 600) / 10,
    };
    parts.push(JSON.stringify(record));
  }
  return `[${parts.join(',')}]`;
}

/** The column declarations a config would carry for these records. */
export const BENCH_COLUMNS = { id: 'bigint', observed_at: 'timestamp' } as const;
