import { hexToString, isHex, size } from "viem";
import { parseSiweMessage } from "viem/siwe";
import { PolicyRefusedError, ToolInputError } from "../tool-errors.js";
import type { ResolvedPolicy } from "./resolve-policy.js";

/** What the policy concluded about a message it allows. */
export interface MessageDecision {
  /** The text signed (hex messages decoded when they are UTF-8), for the preview. */
  text: string | null;
  /** The Sign-In-With-Ethereum domain, when the message is one. */
  siweDomain: string | null;
  rules: string[];
}

const SIWE = /wants you to sign in with your Ethereum account/i;

function decodeHexText(message: `0x${string}`): string | null {
  try {
    const text = hexToString(message);
    const binary = [...text].some((char) => {
      const code = char.charCodeAt(0);
      return (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0xfffd;
    });
    return binary ? null : text;
  } catch {
    return null;
  }
}

/**
 * The policy's decision on a personal_sign message, a pure function of (policy, message): a length cap; a bare
 * 32-byte value (a hash, which could be a transaction or an order) refused unless allowed; a
 * Sign-In-With-Ethereum message only for a domain the host lists.
 */
export function decideMessage(
  policy: ResolvedPolicy,
  message: string,
  encoding: "utf-8" | "hex",
): MessageDecision {
  const rules = ["message_length", "message_hash", "siwe_domain"];
  if (encoding === "hex" && !/^0x([0-9a-fA-F]{2})+$/.test(message)) {
    throw new ToolInputError(
      'with encoding "hex", message must be 0x-prefixed hex of whole bytes, e.g. "0x676d"',
    );
  }
  if (message.length > policy.messages.maxLength) {
    throw new PolicyRefusedError(
      "message_length",
      `The message is ${message.length} characters; the policy signs at most ${policy.messages.maxLength}.`,
    );
  }
  const bare = message.trim();
  const isHash =
    encoding === "hex"
      ? isHex(message) && size(message as `0x${string}`) === 32
      : /^(0x)?[0-9a-fA-F]{64}$/.test(bare);
  if (isHash && !policy.messages.allowHashes) {
    throw new PolicyRefusedError(
      "message_hash",
      "The message is a bare 32-byte value (a hash): signing it could authorise anything, so the policy refuses it. Sign readable text instead.",
    );
  }
  const text = encoding === "hex" ? decodeHexText(message as `0x${string}`) : message;
  if (text !== null && SIWE.test(text)) {
    const parsed = parseSiweMessage(text);
    const domain = typeof parsed.domain === "string" ? parsed.domain.toLowerCase() : "";
    const scheme = typeof parsed.scheme === "string" ? `${parsed.scheme.toLowerCase()}://` : "";
    if (
      !domain ||
      !policy.messages.siweDomains.has(domain) ||
      !text.trimStart().toLowerCase().startsWith(`${scheme}${domain} `)
    ) {
      throw new PolicyRefusedError(
        "siwe_domain",
        `The message is a Sign-In-With-Ethereum request for ${domain ? `domain ${domain}` : "an unreadable domain"}; the policy only signs in to ${policy.messages.siweDomains.size ? [...policy.messages.siweDomains].join(", ") : "no domain"}.`,
      );
    }
    if (parsed.chainId !== undefined && policy.chains && !policy.chains.has(`eip155:${parsed.chainId}`)) {
      throw new PolicyRefusedError(
        "allowed_chains",
        `The sign-in names chain eip155:${parsed.chainId}, which the policy does not allow.`,
      );
    }
    return { text, siweDomain: domain, rules };
  }
  return { text, siweDomain: null, rules };
}
