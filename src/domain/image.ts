/**
 * The container image engines run kubectl-sei from (Chaos Mesh tasks, Argo's pod-UID reader).
 * Built from the Containerfile at the repository root; its tag is the package version, so an
 * export names the image of the release that wrote it (a test keeps the three in step).
 */
export const KUBECTL_SEI_VERSION = '0.1.0';
export const KUBECTL_SEI_IMAGE = `ghcr.io/sei-protocol/kubectl-sei:${KUBECTL_SEI_VERSION}`;
