; Inno Setup script: the Windows installer of Guichet (Inno Setup 6.3 or later).
;
; Built by packaging\build_windows.ps1 after PyInstaller:
;   ISCC.exe /DAppVersion=0.1.0 /DSourceDir=C:\...\dist\guichet /DOutputDir=C:\...\dist packaging\windows\guichet.iss
;
; Installs for the current user by default (no administrator rights needed:
; %LOCALAPPDATA%\Programs\Guichet); an administrator can choose "all users"
; (C:\Program Files\Guichet) in the first dialog or with /ALLUSERS. Silent install
; for a fleet: guichet-<version>-windows-x64-setup.exe /VERYSILENT /ALLUSERS
; Start-menu shortcuts: Guichet, a self-test of the installation, the uninstaller.
; The uninstaller removes the program only: the agents' data (%LOCALAPPDATA%\Guichet:
; cases, log, cache) is kept.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\guichet"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist"
#endif

[Setup]
AppId={{0769622C-4D5A-4A34-A67F-92252D65602C}
AppName=Guichet
AppVersion={#AppVersion}
AppVerName=Guichet {#AppVersion}
AppPublisher=Guichet
AppComments=Simulateur d'aides sociales pour les agents d'accueil, hors ligne (OpenFisca-France)
DefaultDirName={autopf}\Guichet
DefaultGroupName=Guichet
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog commandline
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir={#OutputDir}
OutputBaseFilename=guichet-{#AppVersion}-windows-x64-setup
SetupIconFile=guichet.ico
UninstallDisplayIcon={app}\guichet.exe
UninstallDisplayName=Guichet {#AppVersion}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "french"; MessagesFile: "compiler:Languages\French.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the whole program folder: no file of an older version stays behind.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\Guichet"; Filename: "{app}\guichet.exe"; WorkingDir: "{userdocs}"; Comment: "Estimer les aides sociales d'un foyer"
Name: "{group}\Vérifier l'installation de Guichet"; Filename: "{sys}\cmd.exe"; Parameters: "/k """"{app}\guichet-console.exe"" --version && ""{app}\guichet-console.exe"" --self-test"""; WorkingDir: "{userdocs}"; IconFilename: "{app}\guichet.exe"; Comment: "Contrôle du poste : calcul d'un foyer type et fiche PDF"
Name: "{group}\{cm:UninstallProgram,Guichet}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\Guichet"; Filename: "{app}\guichet.exe"; WorkingDir: "{userdocs}"; Tasks: desktopicon

[Run]
Filename: "{app}\guichet.exe"; Description: "{cm:LaunchProgram,Guichet}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
Type: filesandordirs; Name: "{app}\_internal"
