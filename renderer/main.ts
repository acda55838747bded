// Placeholder entry so that `electron-vite build` runs; helper "ui" replaces renderer/.
const app = document.getElementById('app')
if (app) app.textContent = 'RaftKV Manager'
