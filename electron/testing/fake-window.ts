// For tests of electron/window.ts: a BrowserWindow and a session that record what they are told.
import { EventEmitter } from 'node:events'

export type OpenHandler = (details: { url: string }) => { action: string }

export class FakeWebContents extends EventEmitter {
  openHandler: OpenHandler | null = null
  setWindowOpenHandler(h: OpenHandler): void {
    this.openHandler = h
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static created: FakeBrowserWindow[] = []
  readonly webContents = new FakeWebContents()
  loaded: string | null = null
  shown = false

  constructor(readonly options: Record<string, unknown>) {
    super()
    FakeBrowserWindow.created.push(this)
  }
  loadURL(url: string): Promise<void> {
    this.loaded = url
    return Promise.resolve()
  }
  show(): void {
    this.shown = true
  }
}

type RequestHandler = (contents: unknown, permission: string, callback: (granted: boolean) => void) => void

export class FakeSession {
  requestHandler: RequestHandler | null = null
  checkHandler: (() => boolean) | null = null
  setPermissionRequestHandler(h: RequestHandler): void {
    this.requestHandler = h
  }
  setPermissionCheckHandler(h: () => boolean): void {
    this.checkHandler = h
  }
}

export const fakeSession = { defaultSession: new FakeSession() }
