// What a coil ID may look like. The line's level-2 system names coils (DESIGN.md topic
// `plant/{line}/coil`); ingest accepts 1–64 letters, digits, "_", "-" and "." and so do we,
// except IDs made only of dots: "." and ".." would change meaning inside a URL path
// (RFC 3986 §5.2.4 removes them), so /api/coils/../qr.svg could never name a coil.
export const COIL_ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/

export const isCoilId = (s: unknown): s is string => typeof s === 'string' && COIL_ID_PATTERN.test(s) && !/^\.+$/.test(s)
