/** The kinds of item the HAN list reader (push-list.ts) reads a list into; its layouts (list-layout.ts) use them too. */
export const ITEM_NULL = 0;
/** A number (every integer and float tag, enum): `value`; its bytes after the tag at `at`, `len`. */
export const ITEM_NUMBER = 1;
/** octet-string (09), date-time/date/time (19 1A 1B): bytes at `at`, `len`. */
export const ITEM_OCTETS = 2;
/** visible-string / utf8-string (0A 0C): bytes at `at`, `len`. */
export const ITEM_TEXT = 3;
/** boolean: `value` 1 or 0; its byte at `at` (`len` 1). */
export const ITEM_BOOLEAN = 4;
/** scaler_unit { integer, enum }: `scaler`, `unit`. */
export const ITEM_SCALER_UNIT = 5;
/** The capture-object descriptors of a described list (element 0). */
export const ITEM_DESCRIPTORS = 6;
/** A nested value of another shape, a bit-string: its extent only (`at`, `len`). */
export const ITEM_OTHER = 7;

/** Elements a list may have (the longest real lists: Kamstrup list 3, 65; Sagemcom ~37). */
export const LIST_CAPACITY = 128;
