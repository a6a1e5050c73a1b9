// The package ships no types: an object with the list as an array (and as an object and a regexp).
declare module 'french-badwords-list' {
  const list: { array: string[]; object: Record<string, number>; regex: RegExp };
  export default list;
}
