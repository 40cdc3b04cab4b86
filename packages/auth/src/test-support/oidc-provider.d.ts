// oidc-provider ships no types; the tests use a small slice of it.
declare module "oidc-provider" {
  const Provider: new (issuer: string, configuration: Record<string, unknown>) => { callback(): (req: any, res: any) => void };
  export default Provider;
}
