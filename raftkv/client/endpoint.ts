// host:port endpoints, as given on the command line and in NotLeader hints.
import { EndpointFormatError } from './errors.js'

/** Checks one host:port (IPv6 hosts in brackets: [::1]:7001) and returns it trimmed. */
export function parseEndpoint(text: string): string {
  const endpoint = text.trim()
  const match = /^(\[[0-9a-fA-F:.]+\]|[^\s:/[\]]+):(\d{1,5})$/.exec(endpoint)
  if (match === null) throw new EndpointFormatError(text)
  const port = Number(match[2])
  if (port < 1 || port > 65535) throw new EndpointFormatError(text)
  return endpoint
}

/** A comma-separated list of host:port, at least one, duplicates removed. */
export function parseEndpointList(text: string): string[] {
  const items = text.split(',').map((s) => s.trim()).filter((s) => s !== '')
  if (items.length === 0) throw new EndpointFormatError(text)
  return [...new Set(items.map(parseEndpoint))]
}
