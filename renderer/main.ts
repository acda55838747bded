// The dashboard's entry: the control API (preload or WebSocket), Pinia, the app.
import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { createApi, installApi } from './api'
import './styles/theme.css'

installApi(createApi(window))
createApp(App).use(createPinia()).mount('#app')
