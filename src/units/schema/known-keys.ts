// Every key systemd 252 knows, per section, from `systemd --dump-configuration-items`.
// Used to tell "unknown key" (warned) from "known but not interpreted by unitd"
// (accepted, recorded as unsupported). Data only; the meaning of keys lives in the
// section modules. The exec, cgroup and kill keys are shared by several sections, as in
// systemd's load-fragment-gperf (EXEC_CONTEXT_CONFIG_ITEMS, CGROUP_CONTEXT_CONFIG_ITEMS,
// KILL_CONTEXT_CONFIG_ITEMS): each is listed once here.

/** The exec context's keys (services, sockets, mounts, swaps). */
const EXEC_KEYS = [
  'WorkingDirectory', 'RootDirectory', 'RootImage', 'RootImageOptions', 'RootHash', 'RootHashSignature', 'RootVerity',
  'ExtensionDirectories', 'ExtensionImages', 'MountImages', 'User', 'Group', 'SupplementaryGroups', 'Nice',
  'OOMScoreAdjust', 'CoredumpFilter', 'IOSchedulingClass', 'IOSchedulingPriority', 'CPUSchedulingPolicy',
  'CPUSchedulingPriority', 'CPUSchedulingResetOnFork', 'CPUAffinity', 'NUMAPolicy', 'NUMAMask', 'UMask', 'Environment',
  'EnvironmentFile', 'PassEnvironment', 'UnsetEnvironment', 'DynamicUser', 'RemoveIPC', 'StandardInput',
  'StandardOutput', 'StandardError', 'StandardInputText', 'StandardInputData', 'TTYPath', 'TTYReset', 'TTYVHangup',
  'TTYVTDisallocate', 'TTYRows', 'TTYColumns', 'SyslogIdentifier', 'SyslogFacility', 'SyslogLevel', 'SyslogLevelPrefix',
  'LogLevelMax', 'LogRateLimitIntervalSec', 'LogRateLimitBurst', 'LogExtraFields', 'SecureBits',
  'CapabilityBoundingSet', 'AmbientCapabilities', 'TimerSlackNSec', 'NoNewPrivileges', 'KeyringMode', 'ProtectProc',
  'ProcSubset', 'SystemCallFilter', 'SystemCallArchitectures', 'SystemCallErrorNumber', 'SystemCallLog',
  'MemoryDenyWriteExecute', 'RestrictNamespaces', 'RestrictRealtime', 'RestrictSUIDSGID', 'RestrictAddressFamilies',
  'LockPersonality', 'RestrictFileSystems', 'LimitCPU', 'LimitFSIZE', 'LimitDATA', 'LimitSTACK', 'LimitCORE',
  'LimitRSS', 'LimitNOFILE', 'LimitAS', 'LimitNPROC', 'LimitMEMLOCK', 'LimitLOCKS', 'LimitSIGPENDING', 'LimitMSGQUEUE',
  'LimitNICE', 'LimitRTPRIO', 'LimitRTTIME', 'ReadWriteDirectories', 'ReadOnlyDirectories', 'InaccessibleDirectories',
  'ReadWritePaths', 'ReadOnlyPaths', 'InaccessiblePaths', 'ExecPaths', 'NoExecPaths', 'ExecSearchPath', 'BindPaths',
  'BindReadOnlyPaths', 'TemporaryFileSystem', 'PrivateTmp', 'PrivateDevices', 'ProtectKernelTunables',
  'ProtectKernelModules', 'ProtectKernelLogs', 'ProtectClock', 'ProtectControlGroups', 'NetworkNamespacePath',
  'IPCNamespacePath', 'LogNamespace', 'PrivateNetwork', 'PrivateUsers', 'PrivateMounts', 'PrivateIPC', 'ProtectSystem',
  'ProtectHome', 'MountFlags', 'MountAPIVFS', 'Personality', 'RuntimeDirectoryPreserve', 'RuntimeDirectoryMode',
  'RuntimeDirectory', 'StateDirectoryMode', 'StateDirectory', 'CacheDirectoryMode', 'CacheDirectory',
  'LogsDirectoryMode', 'LogsDirectory', 'ConfigurationDirectoryMode', 'ConfigurationDirectory', 'SetCredential',
  'SetCredentialEncrypted', 'LoadCredential', 'LoadCredentialEncrypted', 'TimeoutCleanSec', 'PAMName', 'IgnoreSIGPIPE',
  'UtmpIdentifier', 'UtmpMode', 'SELinuxContext', 'AppArmorProfile', 'SmackProcessLabel', 'ProtectHostname',
] as const;

/** The cgroup context's keys (the exec units, slices and scopes). */
const CGROUP_KEYS = [
  'Slice', 'AllowedCPUs', 'StartupAllowedCPUs', 'AllowedMemoryNodes', 'StartupAllowedMemoryNodes', 'CPUAccounting',
  'CPUWeight', 'StartupCPUWeight', 'CPUShares', 'StartupCPUShares', 'CPUQuota', 'CPUQuotaPeriodSec', 'MemoryAccounting',
  'MemoryMin', 'DefaultMemoryMin', 'DefaultMemoryLow', 'MemoryLow', 'MemoryHigh', 'MemoryMax', 'MemorySwapMax',
  'MemoryLimit', 'DeviceAllow', 'DevicePolicy', 'IOAccounting', 'IOWeight', 'StartupIOWeight', 'IODeviceWeight',
  'IOReadBandwidthMax', 'IOWriteBandwidthMax', 'IOReadIOPSMax', 'IOWriteIOPSMax', 'IODeviceLatencyTargetSec',
  'BlockIOAccounting', 'BlockIOWeight', 'StartupBlockIOWeight', 'BlockIODeviceWeight', 'BlockIOReadBandwidth',
  'BlockIOWriteBandwidth', 'TasksAccounting', 'TasksMax', 'Delegate', 'DisableControllers', 'IPAccounting',
  'IPAddressAllow', 'IPAddressDeny', 'IPIngressFilterPath', 'IPEgressFilterPath', 'ManagedOOMSwap',
  'ManagedOOMMemoryPressure', 'ManagedOOMMemoryPressureLimit', 'ManagedOOMPreference', 'BPFProgram', 'SocketBindAllow',
  'SocketBindDeny', 'RestrictNetworkInterfaces',
] as const;

/** The kill context's keys (the exec units and scopes). */
const KILL_KEYS = [
  'SendSIGKILL', 'SendSIGHUP', 'KillMode', 'KillSignal', 'RestartKillSignal', 'FinalKillSignal', 'WatchdogSignal',
] as const;

export const KNOWN_KEYS: Readonly<Record<string, readonly string[]>> = {
  Unit: [
    'Description', 'Documentation', 'SourcePath', 'Requires', 'Requisite', 'Wants', 'BindsTo', 'BindTo', 'Upholds',
    'Conflicts', 'Before', 'After', 'OnSuccess', 'OnFailure', 'PropagatesReloadTo', 'PropagateReloadTo',
    'ReloadPropagatedFrom', 'PropagateReloadFrom', 'PropagatesStopTo', 'StopPropagatedFrom', 'PartOf',
    'JoinsNamespaceOf', 'RequiresOverridable', 'RequisiteOverridable', 'RequiresMountsFor', 'StopWhenUnneeded',
    'RefuseManualStart', 'RefuseManualStop', 'AllowIsolate', 'DefaultDependencies', 'OnSuccessJobMode',
    'OnFailureJobMode', 'OnFailureIsolate', 'IgnoreOnIsolate', 'JobTimeoutSec', 'JobRunningTimeoutSec',
    'JobTimeoutAction', 'JobTimeoutRebootArgument', 'StartLimitIntervalSec', 'StartLimitInterval', 'StartLimitBurst',
    'StartLimitAction', 'FailureAction', 'SuccessAction', 'FailureActionExitStatus', 'SuccessActionExitStatus',
    'RebootArgument', 'ConditionPathExists', 'ConditionPathExistsGlob', 'ConditionPathIsDirectory',
    'ConditionPathIsSymbolicLink', 'ConditionPathIsMountPoint', 'ConditionPathIsReadWrite', 'ConditionPathIsEncrypted',
    'ConditionDirectoryNotEmpty', 'ConditionFileNotEmpty', 'ConditionFileIsExecutable', 'ConditionNeedsUpdate',
    'ConditionFirstBoot', 'ConditionArchitecture', 'ConditionFirmware', 'ConditionVirtualization', 'ConditionHost',
    'ConditionKernelCommandLine', 'ConditionKernelVersion', 'ConditionCredential', 'ConditionSecurity',
    'ConditionCapability', 'ConditionACPower', 'ConditionMemory', 'ConditionCPUFeature', 'ConditionCPUs',
    'ConditionEnvironment', 'ConditionUser', 'ConditionGroup', 'ConditionControlGroupController', 'ConditionOSRelease',
    'ConditionMemoryPressure', 'ConditionCPUPressure', 'ConditionIOPressure', 'AssertPathExists',
    'AssertPathExistsGlob', 'AssertPathIsDirectory', 'AssertPathIsSymbolicLink', 'AssertPathIsMountPoint',
    'AssertPathIsReadWrite', 'AssertPathIsEncrypted', 'AssertDirectoryNotEmpty', 'AssertFileNotEmpty',
    'AssertFileIsExecutable', 'AssertNeedsUpdate', 'AssertFirstBoot', 'AssertArchitecture', 'AssertVirtualization',
    'AssertHost', 'AssertKernelCommandLine', 'AssertKernelVersion', 'AssertCredential', 'AssertSecurity',
    'AssertCapability', 'AssertACPower', 'AssertMemory', 'AssertCPUFeature', 'AssertCPUs', 'AssertEnvironment',
    'AssertUser', 'AssertGroup', 'AssertControlGroupController', 'AssertOSRelease', 'AssertMemoryPressure',
    'AssertCPUPressure', 'AssertIOPressure', 'CollectMode',
  ],
  Service: [
    'PIDFile', 'ExecCondition', 'ExecStartPre', 'ExecStart', 'ExecStartPost', 'ExecReload', 'ExecStop', 'ExecStopPost',
    'RestartSec', 'TimeoutSec', 'TimeoutStartSec', 'TimeoutStopSec', 'TimeoutAbortSec', 'TimeoutStartFailureMode',
    'TimeoutStopFailureMode', 'RuntimeMaxSec', 'RuntimeRandomizedExtraSec', 'WatchdogSec', 'StartLimitInterval',
    'StartLimitBurst', 'StartLimitAction', 'FailureAction', 'RebootArgument', 'Type', 'ExitType', 'Restart',
    'PermissionsStartOnly', 'RootDirectoryStartOnly', 'RemainAfterExit', 'GuessMainPID', 'RestartPreventExitStatus',
    'RestartForceExitStatus', 'SuccessExitStatus', 'NonBlocking', 'BusName', 'FileDescriptorStoreMax', 'NotifyAccess',
    'Sockets', 'USBFunctionDescriptors', 'USBFunctionStrings', 'OOMPolicy', ...EXEC_KEYS, ...CGROUP_KEYS, ...KILL_KEYS,
  ],
  Socket: [
    'ListenStream', 'ListenDatagram', 'ListenSequentialPacket', 'ListenFIFO', 'ListenNetlink', 'ListenSpecial',
    'ListenMessageQueue', 'ListenUSBFunction', 'SocketProtocol', 'BindIPv6Only', 'Backlog', 'BindToDevice',
    'ExecStartPre', 'ExecStartPost', 'ExecStopPre', 'ExecStopPost', 'TimeoutSec', 'SocketUser', 'SocketGroup',
    'SocketMode', 'DirectoryMode', 'Accept', 'FlushPending', 'Writable', 'MaxConnections', 'MaxConnectionsPerSource',
    'KeepAlive', 'KeepAliveTimeSec', 'KeepAliveIntervalSec', 'KeepAliveProbes', 'DeferAcceptSec', 'NoDelay', 'Priority',
    'ReceiveBuffer', 'SendBuffer', 'IPTOS', 'IPTTL', 'Mark', 'PipeSize', 'FreeBind', 'Transparent', 'Broadcast',
    'PassCredentials', 'PassSecurity', 'PassPacketInfo', 'Timestamping', 'TCPCongestion', 'ReusePort',
    'MessageQueueMaxMessages', 'MessageQueueMessageSize', 'RemoveOnStop', 'Symlinks', 'FileDescriptorName', 'Service',
    'TriggerLimitIntervalSec', 'TriggerLimitBurst', 'SmackLabel', 'SmackLabelIPIn', 'SmackLabelIPOut',
    'SELinuxContextFromNet', ...EXEC_KEYS, ...CGROUP_KEYS, ...KILL_KEYS,
  ],
  Mount: [
    'What', 'Where', 'Options', 'Type', 'TimeoutSec', 'DirectoryMode', 'SloppyOptions', 'LazyUnmount', 'ForceUnmount',
    'ReadWriteOnly', ...EXEC_KEYS, ...CGROUP_KEYS, ...KILL_KEYS,
  ],
  Automount: [
    'Where', 'ExtraOptions', 'DirectoryMode', 'TimeoutIdleSec',
  ],
  Swap: [
    'What', 'Priority', 'Options', 'TimeoutSec', ...EXEC_KEYS, ...CGROUP_KEYS, ...KILL_KEYS,
  ],
  Timer: [
    'OnCalendar', 'OnActiveSec', 'OnBootSec', 'OnStartupSec', 'OnUnitActiveSec', 'OnUnitInactiveSec', 'OnClockChange',
    'OnTimezoneChange', 'Persistent', 'WakeSystem', 'RemainAfterElapse', 'FixedRandomDelay', 'AccuracySec',
    'RandomizedDelaySec', 'Unit',
  ],
  Path: [
    'PathExists', 'PathExistsGlob', 'PathChanged', 'PathModified', 'DirectoryNotEmpty', 'Unit', 'MakeDirectory',
    'DirectoryMode', 'TriggerLimitIntervalSec', 'TriggerLimitBurst',
  ],
  Slice: [
    ...CGROUP_KEYS,
  ],
  Scope: [
    ...CGROUP_KEYS, ...KILL_KEYS, 'RuntimeMaxSec', 'RuntimeRandomizedExtraSec', 'TimeoutStopSec', 'OOMPolicy',
  ],
  Install: [
    'Alias', 'WantedBy', 'RequiredBy', 'Also', 'DefaultInstance',
  ],
};

/** Known keys whose value systemd parses as a boolean (so even unapplied ones get the boolean warning). */
export const BOOLEAN_KEYS: ReadonlySet<string> = new Set([
   'Accept', 'AllowIsolate', 'BlockIOAccounting', 'Broadcast', 'CPUAccounting', 'CPUSchedulingResetOnFork',
   'DefaultDependencies', 'DynamicUser', 'FixedRandomDelay', 'FlushPending', 'ForceUnmount', 'FreeBind', 'GuessMainPID',
   'IOAccounting', 'IPAccounting', 'IgnoreOnIsolate', 'IgnoreSIGPIPE', 'KeepAlive', 'LazyUnmount', 'LockPersonality',
   'MakeDirectory', 'MemoryAccounting', 'MemoryDenyWriteExecute', 'NoDelay', 'NoNewPrivileges', 'NonBlocking',
   'OnClockChange', 'OnFailureIsolate', 'OnTimezoneChange', 'PassCredentials', 'PassPacketInfo', 'PassSecurity',
   'PermissionsStartOnly', 'Persistent', 'PrivateDevices', 'PrivateIPC', 'PrivateMounts', 'PrivateNetwork',
   'PrivateTmp', 'PrivateUsers', 'ProtectClock', 'ProtectControlGroups', 'ProtectHostname', 'ProtectKernelLogs',
   'ProtectKernelModules', 'ProtectKernelTunables', 'ReadWriteOnly', 'RefuseManualStart', 'RefuseManualStop',
   'RemainAfterElapse', 'RemainAfterExit', 'RemoveIPC', 'RemoveOnStop', 'RestrictRealtime', 'RestrictSUIDSGID',
   'ReusePort', 'RootDirectoryStartOnly', 'SELinuxContextFromNet', 'SendSIGHUP', 'SendSIGKILL', 'SloppyOptions',
   'StopWhenUnneeded', 'SyslogLevelPrefix', 'TTYReset', 'TTYVHangup', 'TTYVTDisallocate', 'TasksAccounting',
   'Transparent', 'WakeSystem', 'Writable',
]);
