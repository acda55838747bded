// Vite's client types (CSS imports, import.meta.env) for the type checker.
/// <reference types="vite/client" />
