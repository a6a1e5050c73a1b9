// The package ships no types; we only read its French list (Snowball's, 168 words).
declare module 'stopword' {
  export const fra: string[];
}
