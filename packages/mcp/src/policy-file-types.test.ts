import type {
  LucidPaymentPolicy,
  LucidTokens,
  LucidToolPolicy,
  LucidToolsOptions,
} from "@lucid-dreams/agent-auth/tools";
import { describe, expectTypeOf, it } from "vitest";
import type { z } from "zod";
import type {
  PolicyFileOptions,
  PolicyFilePayments,
  PolicyFilePolicy,
  policyFileSchema,
} from "./policy-file.js";

// Compile-time checks (`pnpm typecheck`): when core adds an option the policy file cannot express, these fail.

/** Keys of `Core` missing from `File`, one level down into object-valued options too. */
type Missing<Core, File> = {
  [K in keyof Core]-?: K extends keyof File
    ? NonNullable<Core[K]> extends readonly (infer Item)[]
      ? NonNullable<File[K]> extends readonly (infer FileItem)[]
        ? Item extends object
          ? Exclude<keyof Item, keyof FileItem> extends never
            ? never
            : `${K & string}[].${Exclude<keyof Item, keyof FileItem> & string}`
          : never
        : never
      : NonNullable<Core[K]> extends Record<string, unknown>
        ? Exclude<keyof NonNullable<Core[K]>, keyof NonNullable<File[K]>> extends never
          ? never
          : `${K & string}.${Exclude<keyof NonNullable<Core[K]>, keyof NonNullable<File[K]>> & string}`
        : never
    : K;
}[keyof Core];

type FilePolicyAsCore = Omit<PolicyFilePolicy, "tokenRules"> & { tokens: PolicyFilePolicy["tokenRules"] };
type FileOutput = z.output<typeof policyFileSchema>;
type CoreTokenRule = NonNullable<LucidToolPolicy["tokens"]>[string];
type FileTokenRule = NonNullable<PolicyFilePolicy["tokenRules"]>[string];
type CoreToken = LucidTokens[string];
type FileToken = NonNullable<FileOutput["tokens"]>[string];
type CoreDomain = NonNullable<NonNullable<LucidToolPolicy["typedData"]>["domains"]>[number];
type FileDomain = NonNullable<NonNullable<PolicyFilePolicy["typedData"]>["domains"]>[number];
type CoreBudget = Extract<NonNullable<LucidToolPolicy["budget"]>, { per: unknown }>;
type FileBudget = Extract<NonNullable<PolicyFilePolicy["budget"]>, { per: unknown }>;

/** The options that cannot come from JSON: an object (`ledger`) and callbacks. */
type NotJson = "ledger";
/** Options of the tools the server or the bin set themselves, or that are callbacks. */
type NotInFile = "policy" | "onError" | "ledger";

describe("the policy file schema covers core's options", () => {
  it("every JSON-expressible LucidToolPolicy option, down to nested rules", () => {
    expectTypeOf<Exclude<Missing<LucidToolPolicy, FilePolicyAsCore>, NotJson>>().toEqualTypeOf<never>();
    expectTypeOf<Exclude<keyof CoreTokenRule, keyof FileTokenRule>>().toEqualTypeOf<never>();
    expectTypeOf<Exclude<keyof CoreDomain, keyof FileDomain>>().toEqualTypeOf<never>();
    expectTypeOf<Exclude<keyof CoreBudget, keyof FileBudget>>().toEqualTypeOf<never>();
  });

  it("what the file gives is a valid LucidToolPolicy (budgetScope only as a string)", () => {
    expectTypeOf<PolicyFileOptions["policy"]>().toExtend<LucidToolPolicy>();
    expectTypeOf<FilePolicyAsCore>().toExtend<LucidToolPolicy>();
  });

  it("the token list and the payment rules, all but the approve callback", () => {
    expectTypeOf<Exclude<keyof CoreToken, keyof FileToken>>().toEqualTypeOf<never>();
    expectTypeOf<FileToken>().toExtend<CoreToken>();
    expectTypeOf<
      Exclude<keyof LucidPaymentPolicy, keyof NonNullable<FileOutput["payments"]> | "approve">
    >().toEqualTypeOf<never>();
    expectTypeOf<NonNullable<FileOutput["payments"]>>().toExtend<PolicyFilePayments>();
  });

  it("every tool option but the policy object itself and callbacks is a file key", () => {
    expectTypeOf<Exclude<keyof LucidToolsOptions, keyof FileOutput | NotInFile>>().toEqualTypeOf<never>();
    expectTypeOf<PolicyFileOptions>().toExtend<Partial<LucidToolsOptions>>();
  });
});
