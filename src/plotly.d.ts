declare module 'plotly.js-basic-dist-min' {
  const Plotly: unknown;
  export default Plotly;
}
declare module 'plotly.js-gl3d-dist-min' {
  const Plotly: unknown;
  export default Plotly;
}
