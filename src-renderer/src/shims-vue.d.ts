// For tools that read .ts files without the Vue language service (typed ESLint); vue-tsc resolves the real .vue files.
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}
