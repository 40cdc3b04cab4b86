/** What the type checker infers from a template literal: its variable names and their value types. */

// ---------------------------------------------------------------------------
// Type-level inference
// ---------------------------------------------------------------------------

type OperatorChar = "+" | "#" | "." | "/" | ";" | "?" | "&";

/** The bodies of all `{...}` expressions, e.g. "id" | "?q,r". Tail-recursive so long templates don't hit depth limits. */
type ExpressionBodies<T extends string, Found extends string = never> = T extends `${string}{${infer Body}}${infer Rest}`
  ? ExpressionBodies<Rest, Found | Body>
  : Found;

type StripOperator<Body extends string> = Body extends `${OperatorChar}${infer Specs}` ? Specs : Body;

type SplitSpecs<Specs extends string, Found extends string = never> = Specs extends `${infer Head},${infer Tail}`
  ? SplitSpecs<Tail, Found | Head>
  : Found | Specs;

type SpecName<Spec extends string> = Spec extends `${infer Name}*` ? Name : Spec extends `${infer Name}:${string}` ? Name : Spec;

type AllSpecs<T extends string> = SplitSpecs<StripOperator<ExpressionBodies<T>>>;

/** Only the first variable of a prefix-less expression (`{id}`, `{+path}`, `{x,y}` → x) is always present after a match. */
type RequiredSpec<Body extends string> = Body extends `${Exclude<OperatorChar, "+">}${string}`
  ? never
  : StripOperator<Body> extends `${infer Head},${string}`
    ? Head
    : StripOperator<Body>;

type ExplodedNames<T extends string> = AllSpecs<T> extends infer S ? (S extends `${infer Name}*` ? Name : never) : never;
type PlainNames<T extends string> = AllSpecs<T> extends infer S ? (S extends `${string}*` ? never : SpecName<S & string>) : never;
type RequiredNames<T extends string> = SpecName<RequiredSpec<ExpressionBodies<T>>>;

/** Exploded variables match as string[]; a name used both exploded and not could be either. */
type ParamValue<T extends string, K extends string> = K extends ExplodedNames<T>
  ? K extends PlainNames<T>
    ? string | string[]
    : string[]
  : string;

type Simplify<O> = { [K in keyof O]: O[K] } & {};

/**
 * Variable names of a template literal, with operators and modifiers stripped:
 * `TemplateVariables<"a://{x}/{+y}{?q,r}">` is `"x" | "y" | "q" | "r"`; `string` for a non-literal.
 */
export type TemplateVariables<T extends string> = string extends T ? string : SpecName<AllSpecs<T>>;

/**
 * The variables a handler receives for template T, matching what `match()` returns:
 * exploded variables are string[], others string; variables that a match may leave out
 * (those in prefixed expressions such as `{?q}` or `{/path*}`, and non-first variables of
 * `{x,y}`) are optional. `Record<string, string | string[]>` when T is not a literal.
 */
export type TemplateParams<T extends string> = string extends T
  ? Record<string, string | string[]>
  : Simplify<
      { [K in RequiredNames<T>]: ParamValue<T, K> } & {
        [K in Exclude<TemplateVariables<T>, RequiredNames<T>>]?: ParamValue<T, K>;
      }
    >;
