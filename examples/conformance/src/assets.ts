/** Tiny binary payloads the fixtures hand out, base64-encoded. */

/** A valid 1×1 RGBA PNG (every chunk CRC checks out). */
export const PNG_1X1 =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

/** A valid WAV file: PCM, mono, 8 kHz, 16-bit, eight samples of silence (60 bytes). */
export const WAV_SILENCE = "UklGRjQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YRAAAAAAAAAAAAAAAAAAAAAAAAAA";
