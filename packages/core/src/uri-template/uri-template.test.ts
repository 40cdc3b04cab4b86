import { describe, it, expect, expectTypeOf } from "vitest";
import { UriTemplate, UriTemplateError, type TemplateParams, type TemplateVariables } from "./uri-template.js";

// RFC 6570 §3.2 variable values. `keys` (an associative array) is left out: assoc values aren't supported.
const RFC_VALUES = {
  count: ["one", "two", "three"],
  dom: ["example", "com"],
  dub: "me/too",
  hello: "Hello World!",
  half: "50%",
  var: "value",
  who: "fred",
  base: "http://example.com/home/",
  path: "/foo/bar",
  list: ["red", "green", "blue"],
  v: "6",
  x: "1024",
  y: "768",
  empty: "",
  empty_keys: [],
  undef: undefined,
};

const expand = (template: string, values: Parameters<UriTemplate["expand"]>[0] = RFC_VALUES) => new UriTemplate(template).expand(values);

describe("UriTemplate.expand: RFC 6570 §3.2 examples", () => {
  const cases: Record<string, Array<[string, string]>> = {
    "3.2.1 variable expansion": [
      ["{count}", "one,two,three"],
      ["{count*}", "one,two,three"],
      ["{/count}", "/one,two,three"],
      ["{/count*}", "/one/two/three"],
      ["{;count}", ";count=one,two,three"],
      ["{;count*}", ";count=one;count=two;count=three"],
      ["{?count}", "?count=one,two,three"],
      ["{?count*}", "?count=one&count=two&count=three"],
      ["{&count*}", "&count=one&count=two&count=three"],
    ],
    "3.2.2 simple string expansion": [
      ["{var}", "value"],
      ["{hello}", "Hello%20World%21"],
      ["{half}", "50%25"],
      ["O{empty}X", "OX"],
      ["O{undef}X", "OX"],
      ["{x,y}", "1024,768"],
      ["{x,hello,y}", "1024,Hello%20World%21,768"],
      ["?{x,empty}", "?1024,"],
      ["?{x,undef}", "?1024"],
      ["?{undef,y}", "?768"],
      ["{var:3}", "val"],
      ["{var:30}", "value"],
      ["{list}", "red,green,blue"],
      ["{list*}", "red,green,blue"],
    ],
    "3.2.3 reserved expansion": [
      ["{+var}", "value"],
      ["{+hello}", "Hello%20World!"],
      ["{+half}", "50%25"],
      ["{base}index", "http%3A%2F%2Fexample.com%2Fhome%2Findex"],
      ["{+base}index", "http://example.com/home/index"],
      ["O{+empty}X", "OX"],
      ["O{+undef}X", "OX"],
      ["{+path}/here", "/foo/bar/here"],
      ["here?ref={+path}", "here?ref=/foo/bar"],
      ["up{+path}{var}/here", "up/foo/barvalue/here"],
      ["{+x,hello,y}", "1024,Hello%20World!,768"],
      ["{+path,x}/here", "/foo/bar,1024/here"],
      ["{+path:6}/here", "/foo/b/here"],
      ["{+list}", "red,green,blue"],
      ["{+list*}", "red,green,blue"],
    ],
    "3.2.4 fragment expansion": [
      ["{#var}", "#value"],
      ["{#hello}", "#Hello%20World!"],
      ["{#half}", "#50%25"],
      ["foo{#empty}", "foo#"],
      ["foo{#undef}", "foo"],
      ["{#x,hello,y}", "#1024,Hello%20World!,768"],
      ["{#path,x}/here", "#/foo/bar,1024/here"],
      ["{#path:6}/here", "#/foo/b/here"],
      ["{#list}", "#red,green,blue"],
      ["{#list*}", "#red,green,blue"],
    ],
    "3.2.5 label expansion": [
      ["{.who}", ".fred"],
      ["{.who,who}", ".fred.fred"],
      ["{.half,who}", ".50%25.fred"],
      ["www{.dom*}", "www.example.com"],
      ["X{.var}", "X.value"],
      ["X{.empty}", "X."],
      ["X{.undef}", "X"],
      ["X{.var:3}", "X.val"],
      ["X{.list}", "X.red,green,blue"],
      ["X{.list*}", "X.red.green.blue"],
    ],
    "3.2.6 path segment expansion": [
      ["{/who}", "/fred"],
      ["{/who,who}", "/fred/fred"],
      ["{/half,who}", "/50%25/fred"],
      ["{/who,dub}", "/fred/me%2Ftoo"],
      ["{/var}", "/value"],
      ["{/var,empty}", "/value/"],
      ["{/var,undef}", "/value"],
      ["{/var,x}/here", "/value/1024/here"],
      ["{/var:1,var}", "/v/value"],
      ["{/list}", "/red,green,blue"],
      ["{/list*}", "/red/green/blue"],
      ["{/list*,path:4}", "/red/green/blue/%2Ffoo"],
    ],
    "3.2.7 path-style parameter expansion": [
      ["{;who}", ";who=fred"],
      ["{;half}", ";half=50%25"],
      ["{;empty}", ";empty"],
      ["{;v,empty,who}", ";v=6;empty;who=fred"],
      ["{;v,bar,who}", ";v=6;who=fred"],
      ["{;x,y}", ";x=1024;y=768"],
      ["{;x,y,empty}", ";x=1024;y=768;empty"],
      ["{;x,y,undef}", ";x=1024;y=768"],
      ["{;hello:5}", ";hello=Hello"],
      ["{;list}", ";list=red,green,blue"],
      ["{;list*}", ";list=red;list=green;list=blue"],
    ],
    "3.2.8 form-style query expansion": [
      ["{?who}", "?who=fred"],
      ["{?half}", "?half=50%25"],
      ["{?x,y}", "?x=1024&y=768"],
      ["{?x,y,empty}", "?x=1024&y=768&empty="],
      ["{?x,y,undef}", "?x=1024&y=768"],
      ["{?var:3}", "?var=val"],
      ["{?list}", "?list=red,green,blue"],
      ["{?list*}", "?list=red&list=green&list=blue"],
    ],
    "3.2.9 form-style query continuation": [
      ["{&who}", "&who=fred"],
      ["{&half}", "&half=50%25"],
      ["?fixed=yes{&x}", "?fixed=yes&x=1024"],
      ["{&x,y,empty}", "&x=1024&y=768&empty="],
      ["{&var:3}", "&var=val"],
      ["{&list}", "&list=red,green,blue"],
      ["{&list*}", "&list=red&list=green&list=blue"],
    ],
  };

  for (const [section, examples] of Object.entries(cases)) {
    it(section, () => {
      for (const [template, expected] of examples) expect(expand(template), template).toBe(expected);
    });
  }
});

describe("UriTemplate.expand: other behaviour", () => {
  it("stringifies numbers and booleans", () => {
    expect(expand("page/{n}{?all}", { n: 3, all: true })).toBe("page/3?all=true");
  });

  it("skips empty lists like undefined values", () => {
    expect(expand("{?empty_keys,x}")).toBe("?x=1024");
    expect(expand("a{/list*}b", { list: [] })).toBe("ab");
  });

  it("pct-encodes non-ASCII as UTF-8 and keeps pct-triplets only in reserved expansion", () => {
    expect(expand("{v}", { v: "é😀" })).toBe("%C3%A9%F0%9F%98%80");
    expect(expand("{v}", { v: "a%20b" })).toBe("a%2520b");
    expect(expand("{+v}", { v: "a%20b c" })).toBe("a%20b%20c");
  });

  it("counts prefix lengths in characters, not UTF-16 units", () => {
    expect(expand("{v:2}", { v: "😀😀😀" })).toBe("%F0%9F%98%80%F0%9F%98%80");
  });

  it("encodes characters in literals that are not allowed in a URI", () => {
    expect(expand("a b/{x}")).toBe("a%20b/1024");
  });

  it("only reads own properties of the values object", () => {
    expect(expand("x{constructor}y", {})).toBe("xy");
  });

  it("rejects associative values", () => {
    expect(() => expand("{keys}", { keys: { a: "b" } as never })).toThrow(TypeError);
  });

  it("exposes the template and variable names", () => {
    const t = new UriTemplate("users/{id}{?fields*,id}{/path*}");
    expect(t.template).toBe("users/{id}{?fields*,id}{/path*}");
    expect(String(t)).toBe(t.template);
    expect(t.variableNames).toEqual(["id", "fields", "path"]);
  });
});

describe("UriTemplate.match", () => {
  it("matches the MCP example", () => {
    const t = new UriTemplate("test://template/{id}/data");
    expect(t.match("test://template/123/data")).toEqual({ id: "123" });
  });

  it("returns null when the URI does not match", () => {
    const t = new UriTemplate("test://template/{id}/data");
    for (const uri of [
      "test://template/123/dat",
      "test://template/123/data/",
      "test://template//data",
      "test://template/1/2/data",
      "test://template/1?x/data",
      "test://template/1#x/data",
      "other://template/123/data",
      "xtest://template/123/data",
      "",
    ]) {
      expect(t.match(uri), uri).toBeNull();
    }
  });

  it("escapes regular expression characters in literals", () => {
    const t = new UriTemplate("a.b+c(d)[e]$^|/{id}?x=*");
    expect(t.match("a.b+c(d)[e]$^|/7?x=*")).toEqual({ id: "7" });
    expect(t.match("aXb+c(d)[e]$^|/7?x=*")).toBeNull();
  });

  it("pct-decodes values", () => {
    const t = new UriTemplate("notes://{title}/{+rest}");
    expect(t.match("notes://Hello%20World%21/a%2Fb/c%C3%A9")).toEqual({ title: "Hello World!", rest: "a/b/cé" });
  });

  it("does not match malformed pct-encoding", () => {
    const t = new UriTemplate("x/{id}");
    expect(t.match("x/%zz")).toBeNull();
    expect(t.match("x/%C3")).toBeNull();
    expect(t.match("x/100%")).toBeNull();
  });

  it("lets {+path} span slashes", () => {
    expect(new UriTemplate("file:///{+path}").match("file:///home/user/notes.txt")).toEqual({ path: "home/user/notes.txt" });
    expect(new UriTemplate("{+path}/here").match("/foo/bar/here")).toEqual({ path: "/foo/bar" });
    expect(new UriTemplate("repo://{owner}/{+path}").match("repo://me/src/a/b.ts")).toEqual({ owner: "me", path: "src/a/b.ts" });
    expect(new UriTemplate("{+path}{?q}").match("a/b?q=1")).toEqual({ path: "a/b", q: "1" });
  });

  it("lets only the first ambiguous expression backtrack greedily", () => {
    // Later ones stop at the first character that can follow them.
    expect(new UriTemplate("{+a}/{+b}/{+c}").match("x/y/z/w")).toEqual({ a: "x/y", b: "z", c: "w" });
    // RFC 6570 §3.2.3's "up{+path}{var}/here" cannot be inverted uniquely: the greedy reading wins.
    expect(new UriTemplate("up{+path}{var}/here").match("up/foo/barvalue/here")).toEqual({ path: "/foo/barvalu", var: "e" });
  });

  it("requires prefix-less expressions to be non-empty", () => {
    expect(new UriTemplate("file:///{+path}").match("file:///")).toBeNull();
    expect(new UriTemplate("users/{id}").match("users/")).toBeNull();
  });

  it("matches query expressions in any order, missing, or with unknown parameters", () => {
    const t = new UriTemplate("search://{?q,limit}");
    expect(t.match("search://?q=cats&limit=10")).toEqual({ q: "cats", limit: "10" });
    expect(t.match("search://?limit=10&q=cats")).toEqual({ q: "cats", limit: "10" });
    expect(t.match("search://?q=cats")).toEqual({ q: "cats" });
    expect(t.match("search://")).toEqual({});
    expect(t.match("search://?")).toEqual({});
    expect(t.match("search://?page=2&q=a%20b&q=ignored")).toEqual({ q: "a b" });
    expect(t.match("search://?q=&limit")).toEqual({ q: "", limit: "" });
    expect(t.match("search://x?q=1")).toBeNull();
  });

  it("pools {?a}{&b} parameters so either order works", () => {
    const t = new UriTemplate("list{?a}{&b}");
    expect(t.match("list?a=1&b=2")).toEqual({ a: "1", b: "2" });
    expect(t.match("list?b=2&a=1")).toEqual({ a: "1", b: "2" });
    const fixed = new UriTemplate("?fixed=yes{&x}");
    expect(fixed.match("?fixed=yes&x=1024")).toEqual({ x: "1024" });
    expect(fixed.match("?fixed=yes")).toEqual({});
  });

  it("gives exploded variables as arrays", () => {
    const t = new UriTemplate("users/{id}{?fields*}");
    expect(t.match("users/42?fields=name&fields=email")).toEqual({ id: "42", fields: ["name", "email"] });
    expect(t.match("users/42?fields=name")).toEqual({ id: "42", fields: ["name"] });
    expect(t.match("users/42")).toEqual({ id: "42" });
    expect(new UriTemplate("tree{/path*}").match("tree/a/b%20c/d")).toEqual({ path: ["a", "b c", "d"] });
    expect(new UriTemplate("tree{/path*}").match("tree")).toEqual({});
    expect(new UriTemplate("ids:{ids*}").match("ids:1,2,3")).toEqual({ ids: ["1", "2", "3"] });
    expect(new UriTemplate("m{;tag*}").match("m;tag=a;tag=b")).toEqual({ tag: ["a", "b"] });
  });

  it("keeps non-exploded lists as one string", () => {
    expect(new UriTemplate("c/{list}").match("c/red,green,blue")).toEqual({ list: "red,green,blue" });
    expect(new UriTemplate("c{?list}").match("c?list=red,green")).toEqual({ list: "red,green" });
  });

  it("splits multi-variable expressions", () => {
    expect(new UriTemplate("map/{x,y}").match("map/1024,768")).toEqual({ x: "1024", y: "768" });
    expect(new UriTemplate("map/{x,y}").match("map/1024")).toEqual({ x: "1024" });
    expect(new UriTemplate("{/a,b}/end").match("/p/q/end")).toEqual({ a: "p", b: "q" });
    expect(new UriTemplate("{/a,b}").match("/p/q/r")).toBeNull();
    expect(new UriTemplate("{;x,y}").match(";y=768;x=1024")).toEqual({ x: "1024", y: "768" });
  });

  it("handles optional label and fragment expressions", () => {
    const t = new UriTemplate("file/{name}{.ext}{#section}");
    expect(t.match("file/readme.md#intro")).toEqual({ name: "readme", ext: "md", section: "intro" });
    expect(t.match("file/readme")).toEqual({ name: "readme" });
    expect(t.match("file/readme#a/b?c")).toEqual({ name: "readme", section: "a/b?c" });
  });

  it("ends an expression at the first character that can start what follows", () => {
    expect(new UriTemplate("{name}.{ext}").match("archive.tar.gz")).toEqual({ name: "archive", ext: "tar.gz" });
    // An optional expression that may or may not be present: both readings work.
    const t = new UriTemplate("X{.var}.txt");
    expect(t.match("X.txt")).toEqual({});
    expect(t.match("X.a.txt")).toEqual({ var: "a" });
  });

  it("requires repeated variables to match the same value", () => {
    const t = new UriTemplate("{a}/{a}");
    expect(t.match("x/x")).toEqual({ a: "x" });
    expect(t.match("x/y")).toBeNull();
  });

  it("accepts literals either as written or pct-encoded", () => {
    const t = new UriTemplate("docs/é/{id}");
    expect(t.match("docs/é/1")).toEqual({ id: "1" });
    expect(t.match("docs/%C3%A9/1")).toEqual({ id: "1" });
  });

  it("stores a variable called __proto__ as data", () => {
    const result = new UriTemplate("p/{__proto__}").match("p/x");
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.keys(result ?? {})).toEqual(["__proto__"]);
  });

  it("rejects over-long URIs", () => {
    const t = new UriTemplate("file:///{+path}");
    expect(t.match(`file:///${"a".repeat(8000)}`)).not.toBeNull();
    expect(t.match(`file:///${"a".repeat(9000)}`)).toBeNull();
  });

  it("stays fast on adversarial input", () => {
    const templates = [
      "{a}.{b}.{c}.{d}.{e}/x",
      "{+a}/{+b}/{+c}/{+d}/x",
      "{a}{b}{c}{d}/x",
      "{.a}{.b}{.c}{.d}{.e}{.f}{.g}{.h}/x",
      "{/a*}/{/b*}/{+c}{?q}#",
      "x{/list*}/{id}/y",
    ];
    const inputs = ["a.".repeat(4000), "a/".repeat(4000), ".a".repeat(4000), "a".repeat(8000), "/a".repeat(4000)];
    for (const template of templates) {
      const t = new UriTemplate(template);
      for (const input of inputs) {
        const started = performance.now();
        t.match(`${input}!`);
        t.match(`x${input}!`);
        expect(performance.now() - started, `${template} on ${input.slice(0, 4)}...`).toBeLessThan(1000);
      }
    }
  });
});

describe("round trip: expand then match", () => {
  const cases: Array<[string, Record<string, string | string[]>]> = [
    ["test://template/{id}/data", { id: "123" }],
    ["test://template/{id}/data", { id: "a b/c?d#e%f" }],
    ["file:///{+path}", { path: "home/user/My Notes/é.txt" }],
    ["users/{id}{?fields*}", { id: "7", fields: ["name", "e-mail", "a&b=c"] }],
    ["search://{?q,limit}", { q: "cats & dogs", limit: "10" }],
    ["search://{?q,limit}", { limit: "5" }],
    ["tree{/path*}{?depth}", { path: ["src", "a b", "c"], depth: "2" }],
    ["{/who,dub}", { who: "fred", dub: "me/too" }],
    ["map{;x,y}", { x: "1024", y: "768" }],
    ["X{.who,who}", { who: "fred" }],
    ["doc/{name}{.ext}{#frag}", { name: "readme", ext: "md", frag: "sec/1" }],
    ["{x,hello,y}", { x: "1024", hello: "Hello World!", y: "768" }],
    ["?fixed=yes{&x,y}", { x: "1", y: "2" }],
  ];
  for (const [template, values] of cases) {
    it(`${template} with ${JSON.stringify(values)}`, () => {
      const t = new UriTemplate(template);
      const uri = t.expand(values);
      expect(t.match(uri), uri).toEqual(values);
    });
  }
});

describe("malformed templates", () => {
  const cases: Array<[string, RegExp, number | undefined]> = [
    ["test://{id", /unclosed expression/, 7],
    ["test://{}", /empty expression/, 7],
    ["a}b", /unmatched "}"/, 1],
    ["{a{b}}", /"\{" inside an expression/, 2],
    ["{=x}", /unsupported operator "="/, 1],
    ["{!x}", /unsupported operator "!"/, 1],
    ["{|x}", /unsupported operator "\|"/, 1],
    ["{?}", /operator "\?" without a variable/, 0],
    ["{a,,b}", /empty variable name/, 3],
    ["x/{a-b}", /invalid character "-" in variable name "a-b"/, 4],
    ["{a b}", /invalid character " "/, 2],
    ["{.a..b}", /invalid character "\."/, 4],
    ["{a.}", /ends with "\."/, 2],
    ["{%zz}", /invalid character "%"/, 1],
    ["{var:0}", /prefix length "0" must be an integer from 1 to 9999/, 5],
    ["{var:10000}", /prefix length/, 5],
    ["{var:x}", /prefix length/, 5],
    ["{var:3*}", /both a prefix/, 1],
    ["x".repeat(1025), /longer than 1024/, undefined],
    ["{a}".repeat(33), /more than 32 expressions/, 96],
    [`{${Array.from({ length: 65 }, (_, i) => `v${i}`).join(",")}}`, /more than 64 variables/, 0],
  ];
  for (const [template, message, position] of cases) {
    it(`rejects ${template.length > 30 ? `${template.slice(0, 30)}...` : template}`, () => {
      let error: unknown;
      try {
        new UriTemplate(template);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(UriTemplateError);
      expect(error).toBeInstanceOf(Error);
      const e = error as UriTemplateError;
      expect(e.message).toMatch(message);
      expect(e.message).toMatch(/^Invalid URI template "/);
      expect(e.position).toBe(position);
      expect(e.template).toBe(template);
      expect(e.name).toBe("UriTemplateError");
    });
  }

  it("accepts valid edge cases", () => {
    expect(new UriTemplate("{a.b,c_d,%20x,A1:9999}").variableNames).toEqual(["a.b", "c_d", "%20x", "A1"]);
    expect(new UriTemplate("no expressions at all").variableNames).toEqual([]);
    expect(new UriTemplate("").match("")).toEqual({});
  });
});

describe("type-level inference", () => {
  it("extracts variable names", () => {
    expectTypeOf<TemplateVariables<"a://{x}/{+y}{?q,r}">>().toEqualTypeOf<"x" | "y" | "q" | "r">();
    expectTypeOf<TemplateVariables<"test://template/{id}/data">>().toEqualTypeOf<"id">();
    expectTypeOf<TemplateVariables<"{#frag}{.ext}{/p*}{;m:3}{&c}">>().toEqualTypeOf<"frag" | "ext" | "p" | "m" | "c">();
    expectTypeOf<TemplateVariables<"{var:3,list*}">>().toEqualTypeOf<"var" | "list">();
    expectTypeOf<TemplateVariables<"static://thing">>().toEqualTypeOf<never>();
    expectTypeOf<TemplateVariables<string>>().toEqualTypeOf<string>();
  });

  it("types handler params", () => {
    expectTypeOf<TemplateParams<"test://template/{id}/data">>().toEqualTypeOf<{ id: string }>();
    expectTypeOf<TemplateParams<"users/{id}{?fields*}">>().toEqualTypeOf<{ id: string; fields?: string[] }>();
    expectTypeOf<TemplateParams<"search://{?q,limit}">>().toEqualTypeOf<{ q?: string; limit?: string }>();
    expectTypeOf<TemplateParams<"file:///{+path}">>().toEqualTypeOf<{ path: string }>();
    expectTypeOf<TemplateParams<"ids/{ids*}">>().toEqualTypeOf<{ ids: string[] }>();
    expectTypeOf<TemplateParams<"map/{x,y}">>().toEqualTypeOf<{ x: string; y?: string }>();
    expectTypeOf<TemplateParams<"{+path,x}/here{#frag}">>().toEqualTypeOf<{ path: string; x?: string; frag?: string }>();
    expectTypeOf<TemplateParams<"tree{/path*}">>().toEqualTypeOf<{ path?: string[] }>();
    expectTypeOf<TemplateParams<"{a}{?a*}">>().toEqualTypeOf<{ a: string | string[] }>();
    expectTypeOf<TemplateParams<"static://thing">>().toEqualTypeOf<{}>();
    expectTypeOf<TemplateParams<string>>().toEqualTypeOf<Record<string, string | string[]>>();
  });

  it("typed params are assignable to the untyped shape and keep working with match()", () => {
    const t = new UriTemplate("users/{id}{?fields*}");
    const params = t.match("users/1?fields=a") as TemplateParams<"users/{id}{?fields*}"> | null;
    expectTypeOf(params!).toMatchTypeOf<Record<string, string | string[] | undefined>>();
    expect(params?.id).toBe("1");
    expect(params?.fields).toEqual(["a"]);
  });
});
