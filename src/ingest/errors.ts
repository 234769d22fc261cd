/** The errors the ingest library throws (one type, with the source and the kind of trouble). */

/**
 * What the library throws, with its context: the `source` it concerns (a path or a URL) and the
 * `kind` of trouble, so a caller can tell a missing file from a refused link or an HTTP error
 * without parsing messages.
 * - `source`: the source cannot be ingested at all (missing path, unknown format, corrupt file);
 * - `http`: a server answered with an error status (after retries where they apply);
 * - `page`: a STAC API page or its paging cannot be used (a repeated `next`, a page that is not JSON);
 * - `refused`: a reach the trust rules refuse (a private address, a scheme other than http(s));
 * - `limit`: a body over the byte limit, too many redirects.
 */
export type IngestErrorKind = 'source' | 'http' | 'page' | 'refused' | 'limit';

export class IngestError extends Error {
  constructor(
    readonly source: string,
    readonly kind: IngestErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'IngestError';
  }
}

/** Thrown when a whole source cannot be ingested (missing path, unknown format, corrupt file). */
export class SourceError extends IngestError {
  constructor(source: string, message: string) {
    super(source, 'source', `${source}: ${message}`);
    this.name = 'SourceError';
  }
}
