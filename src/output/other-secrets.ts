/**
 * For a "no webhooks" notice: webhooks are kept per API secret (as Pinwheel keeps them per
 * workspace), so one made with another secret is there but not listed. Empty when there are none.
 */
export function otherSecretsNote(count: number): string {
  if (count === 0) return "";
  const one = count === 1;
  return ` (${count} webhook${one ? "" : "s"} in the local registry belong${one ? "s" : ""} to another API secret: each secret has its own, as each Pinwheel workspace does; pass the secret ${one ? "it was" : "they were"} created with to use ${one ? "it" : "them"})`;
}
