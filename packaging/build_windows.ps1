<#
.SYNOPSIS
    Build Guichet for Windows: the one-folder app dist\guichet\, a portable zip and
    the installer dist\guichet-<version>-windows-x64-setup.exe (Inno Setup).

.DESCRIPTION
    Run on a Windows 10/11 x64 build machine (PyInstaller cannot cross-build from
    Linux), from any folder:

        powershell -ExecutionPolicy Bypass -File packaging\build_windows.ps1

    Needs: 64-bit Python 3.11 (python.org installer, with the "py" launcher), Inno
    Setup 6.3+ for the installer (or -NoInstaller), and the package registry the
    first time (to fill .venv). See docs\packaging.md.

.PARAMETER Python
    python.exe of a venv that has the app's pinned dependencies. Default:
    .venv\Scripts\python.exe, created (py -3.11 -m venv) and filled when missing.

.PARAMETER Iscc
    Path to ISCC.exe (Inno Setup's compiler). Default: looked up in Program Files and PATH.

.PARAMETER NoInstaller
    Stop after the one-folder app and its zip.
#>
param(
    [string]$Python = "",
    [string]$Iscc = "",
    [switch]$NoInstaller
)

$ErrorActionPreference = "Stop"
Set-StrictMode -Version Latest
$Root = Split-Path -Parent $PSScriptRoot
Set-Location $Root
$Dist = Join-Path $Root "dist"
$Work = Join-Path $Root "build"
$started = Get-Date

function Invoke-Checked {
    param([string]$What, [scriptblock]$Command)
    & $Command
    if ($LASTEXITCODE -ne 0) { throw "$What failed (exit code $LASTEXITCODE)" }
}

# ----------------------------------------------------------------------------- Python
if (-not $Python) {
    $Python = Join-Path $Root ".venv\Scripts\python.exe"
    if (-not (Test-Path $Python)) {
        Write-Host "Creating .venv (Python 3.11)"
        Invoke-Checked "venv" { py -3.11 -m venv .venv }
        Invoke-Checked "pip upgrade" { & $Python -m pip install --quiet --upgrade pip }
        Invoke-Checked "app dependencies" { & $Python -m pip install --quiet -e . }
    }
}
$bits = & $Python -c "import struct; print(struct.calcsize('P') * 8)"
if ($bits -ne "64") { throw "$Python is a $bits-bit Python: a 64-bit Python 3.11 is needed" }
Invoke-Checked "PyInstaller" { & $Python -m pip install --quiet --disable-pip-version-check -r packaging\requirements.txt }
$version = (& $Python -c "from app import __version__; print(__version__)").Trim()

# ----------------------------------------------------------------------------- one-folder app
Write-Host "Building Guichet $version for windows-x64 (log: $Work\pyinstaller.log)"
New-Item -ItemType Directory -Force -Path $Work | Out-Null
$log = Join-Path $Work "pyinstaller.log"
# PyInstaller logs on stderr: with "Stop", Windows PowerShell 5.1 would turn its first line into an error.
$ErrorActionPreference = "Continue"
& $Python -m PyInstaller --noconfirm --clean --log-level WARN --distpath $Dist --workpath $Work packaging\guichet.spec *> $log
$code = $LASTEXITCODE
$ErrorActionPreference = "Stop"
if ($code -ne 0) {
    Get-Content $log -Tail 40
    throw "PyInstaller failed"
}
$Bundle = Join-Path $Dist "guichet"
Copy-Item packaging\windows\LISEZMOI.txt (Join-Path $Bundle "LISEZMOI.txt")

# ----------------------------------------------------------------------------- smoke test
# The console twin of guichet.exe prints; the data folder is a temporary one.
$testData = Join-Path ([System.IO.Path]::GetTempPath()) ("guichet-build-test-" + [guid]::NewGuid())
$env:GUICHET_DATA_DIR = $testData
try {
    Invoke-Checked "guichet --version" { & (Join-Path $Bundle "guichet-console.exe") --version }
    Invoke-Checked "guichet --self-test" { & (Join-Path $Bundle "guichet-console.exe") --self-test }
} finally {
    Remove-Item Env:\GUICHET_DATA_DIR
    Remove-Item -Recurse -Force $testData -ErrorAction SilentlyContinue
}

$size = (Get-ChildItem -Recurse -File $Bundle | Measure-Object -Property Length -Sum).Sum
Write-Host ("Bundle: {0} ({1:N0} MB)" -f $Bundle, ($size / 1MB))

# ----------------------------------------------------------------------------- portable zip
$zip = Join-Path $Dist "guichet-$version-windows-x64.zip"
if (Test-Path $zip) { Remove-Item $zip }
Compress-Archive -Path $Bundle -DestinationPath $zip -CompressionLevel Optimal
Write-Host ("Zip: {0} ({1:N0} MB)" -f $zip, ((Get-Item $zip).Length / 1MB))

# ----------------------------------------------------------------------------- installer
if (-not $NoInstaller) {
    if (-not $Iscc) {
        $candidates = @(
            (Join-Path ${env:ProgramFiles(x86)} "Inno Setup 6\ISCC.exe"),
            (Join-Path $env:ProgramFiles "Inno Setup 6\ISCC.exe"),
            (Join-Path $env:LOCALAPPDATA "Programs\Inno Setup 6\ISCC.exe")
        )
        $Iscc = $candidates | Where-Object { $_ -and (Test-Path $_) } | Select-Object -First 1
        if (-not $Iscc) {
            $command = Get-Command iscc.exe -ErrorAction SilentlyContinue
            if ($command) { $Iscc = $command.Source }
        }
        if (-not $Iscc) { throw "ISCC.exe (Inno Setup 6) not found: install it, pass -Iscc, or use -NoInstaller" }
    }
    Invoke-Checked "Inno Setup" {
        & $Iscc /Q "/DAppVersion=$version" "/DSourceDir=$Bundle" "/DOutputDir=$Dist" packaging\windows\guichet.iss
    }
    $setup = Join-Path $Dist "guichet-$version-windows-x64-setup.exe"
    Write-Host ("Installer: {0} ({1:N0} MB)" -f $setup, ((Get-Item $setup).Length / 1MB))
}
Write-Host ("Built in {0:N0} s" -f ((Get-Date) - $started).TotalSeconds)
