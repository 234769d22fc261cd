/** STAC API error answers: an HTTP status and a `{ code, description }` body. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    description: string,
  ) {
    super(description);
    this.name = 'ApiError';
  }

  static badRequest(description: string): ApiError {
    return new ApiError(400, 'BadRequest', description);
  }

  static notFound(description: string): ApiError {
    return new ApiError(404, 'NotFound', description);
  }

  /** The JSON body real STAC APIs send with an error. */
  body(): string {
    return JSON.stringify({ code: this.code, description: this.message });
  }
}
