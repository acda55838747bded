// Preload placeholder: the typed window.raftkv bridge comes next.
import { contextBridge } from 'electron'

contextBridge.exposeInMainWorld('raftkv', {})
