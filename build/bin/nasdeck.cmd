@echo off
rem The `nasdeck` CLI of an installed Nasdeck: the app binary in CLI mode (see build/bin/nasdeck).
"%~dp0..\..\Nasdeck.exe" --nasdeck-cli %*
exit /b %ERRORLEVEL%
