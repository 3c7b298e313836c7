/**
 * The SQLite engine's statements (./sqlite-engine.ts): the SQL text of diskcache's reads, writes, culls and queue
 * heads (diskcache/core.py, 5.6), built once. Text only: nothing here prepares or runs a statement.
 */
import type { VictimOrder } from '../shard/eviction.js';

/** The column each victim order sorts by (diskcache's EVICTION_POLICY 'cull' statements and their indexes). */
const ORDER_COLUMN: Readonly<Record<VictimOrder, string>> = { stored: 'store_time', accessTime: 'access_time', accessCount: 'access_count' };
export const orderIndex = (order: VictimOrder) => `CREATE INDEX IF NOT EXISTS Cache_${ORDER_COLUMN[order]} ON Cache (${ORDER_COLUMN[order]})`;
export const victimsSelect = (order: VictimOrder) => `SELECT rowid, filename FROM Cache ORDER BY ${ORDER_COLUMN[order]} LIMIT ?`;
export const ACCESS_TIME = 'UPDATE Cache SET access_time = ? WHERE rowid = ?';
export const ACCESS_COUNT = 'UPDATE Cache SET access_count = access_count + 1 WHERE rowid = ?';
export const HIT = "UPDATE Settings SET value = value + 1 WHERE key = 'hits'";
export const MISSED = "UPDATE Settings SET value = value + 1 WHERE key = 'misses'";

const ITEM = 'rowid, key, expire_time, tag, mode, filename, value';
const LIVE = 'key = ? AND raw = 1 AND (expire_time IS NULL OR expire_time > ?)';
export const SELECT_LIVE = `SELECT ${ITEM} FROM Cache WHERE ${LIVE}`;
export const HAS_LIVE = `SELECT rowid FROM Cache WHERE ${LIVE}`;
export const SELECT_KEY = 'SELECT rowid, filename, expire_time, mode, value FROM Cache WHERE key = ? AND raw = 1';
export const INSERT = 'INSERT INTO Cache( key, raw, store_time, expire_time, access_time, access_count, tag, size, mode,' +
  ' filename, value) VALUES (?, 1, ?, ?, ?, 0, ?, ?, ?, ?, ?)';
export const UPDATE = 'UPDATE Cache SET store_time = ?, expire_time = ?, access_time = ?, access_count = 0, tag = ?, size = ?,' +
  ' mode = ?, filename = ?, value = ? WHERE rowid = ?';
export const DELETE_ROW = 'DELETE FROM Cache WHERE rowid = ?';
export const EXPIRED = 'SELECT rowid, filename FROM Cache WHERE expire_time IS NOT NULL AND expire_time < ? ORDER BY expire_time LIMIT ?';
export const SELECT_VOLUME = "SELECT (SELECT page_count FROM pragma_page_count()) AS pages, value FROM Settings WHERE key = 'size'";

/** Queue heads: the unprefixed queue is the INT keys in (0, QUEUE_MAX); a prefixed one is 'P-' + 15 digits. */
function queueSelect(fields: string, prefixed: boolean, desc: boolean): string {
  const digits = prefixed ? ' AND length(key) = ? AND substr(key, -15) NOT GLOB \'*[^0-9]*\'' : '';
  const range = prefixed ? '? <= key AND key <= ?' : '? < key AND key < ?';
  return `SELECT ${fields} FROM Cache WHERE ${range} AND raw = 1${digits} ORDER BY key ${desc ? 'DESC' : 'ASC'} LIMIT 1`;
}
/** [prefixed][from the back]: the statements, built once. */
const queueSelects = (fields: string) => [false, true].map((p) => [false, true].map((d) => queueSelect(fields, p, d)));
export const QUEUE_KEY = queueSelects('key');
export const QUEUE_ITEM = queueSelects(ITEM);
export const FIRST_LAST = [false, true].map((last) => `SELECT ${ITEM} FROM Cache ORDER BY rowid ${last ? 'DESC' : 'ASC'} LIMIT 1`);
