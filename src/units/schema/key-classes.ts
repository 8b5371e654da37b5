// What unitd does with every key systemd 252 knows (known-keys.ts): the one table that
// says it, so no key is parsed and then silently dropped.
//   applied                  unitd acts on it as systemd does.
//   applied-where-permitted  acted on as far as the container's kernel and capabilities
//                            allow; systemd itself degrades there the same way
//                            (setrlimit to the closest value, OOMScoreAdjust= ignored on EPERM).
//   not-applicable           needs what a container does not give unitd (namespaces,
//                            cgroup controllers, seccomp, an LSM, mount and
//                            swap units); accepted, shown by `show`, and named once per
//                            unit in the journal when set (interpret.ts reports them).
// A key is classed by name: the exec, cgroup and kill keys mean the same in every section.

import { KNOWN_KEYS } from './known-keys.js';

export const KEY_CLASSES = ['applied', 'applied-where-permitted', 'not-applicable'] as const;
export type KeyClass = (typeof KEY_CLASSES)[number];

const APPLIED = [
  'Description', 'Documentation', 'SourcePath', 'Requires', 'Requisite', 'Wants', 'BindsTo', 'BindTo', 'Upholds',
  'Conflicts', 'Before', 'After', 'OnSuccess', 'OnFailure', 'PropagatesReloadTo', 'PropagateReloadTo',
  'ReloadPropagatedFrom', 'PropagateReloadFrom', 'PropagatesStopTo', 'StopPropagatedFrom', 'PartOf',
  'JoinsNamespaceOf', 'RequiresMountsFor', 'StopWhenUnneeded', 'RefuseManualStart', 'RefuseManualStop',
  'AllowIsolate', 'DefaultDependencies', 'OnSuccessJobMode', 'OnFailureJobMode', 'OnFailureIsolate',
  'IgnoreOnIsolate', 'JobTimeoutSec', 'JobRunningTimeoutSec', 'JobTimeoutAction', 'StartLimitIntervalSec',
  'StartLimitInterval', 'StartLimitBurst', 'StartLimitAction', 'FailureAction', 'SuccessAction',
  'FailureActionExitStatus', 'SuccessActionExitStatus', 'ConditionPathExists', 'ConditionPathExistsGlob',
  'ConditionPathIsDirectory', 'ConditionPathIsSymbolicLink', 'ConditionPathIsMountPoint', 'ConditionPathIsReadWrite',
  'ConditionPathIsEncrypted', 'ConditionDirectoryNotEmpty', 'ConditionFileNotEmpty', 'ConditionFileIsExecutable',
  'ConditionNeedsUpdate', 'ConditionFirstBoot', 'ConditionArchitecture', 'ConditionFirmware',
  'ConditionVirtualization', 'ConditionHost', 'ConditionKernelCommandLine', 'ConditionKernelVersion',
  'ConditionCredential', 'ConditionSecurity', 'ConditionCapability', 'ConditionACPower', 'ConditionMemory',
  'ConditionCPUFeature', 'ConditionCPUs', 'ConditionEnvironment', 'ConditionUser', 'ConditionGroup',
  'ConditionControlGroupController', 'ConditionOSRelease', 'ConditionMemoryPressure', 'ConditionCPUPressure',
  'ConditionIOPressure', 'AssertPathExists', 'AssertPathExistsGlob', 'AssertPathIsDirectory',
  'AssertPathIsSymbolicLink', 'AssertPathIsMountPoint', 'AssertPathIsReadWrite', 'AssertPathIsEncrypted',
  'AssertDirectoryNotEmpty', 'AssertFileNotEmpty', 'AssertFileIsExecutable', 'AssertNeedsUpdate', 'AssertFirstBoot',
  'AssertArchitecture', 'AssertVirtualization', 'AssertHost', 'AssertKernelCommandLine', 'AssertKernelVersion',
  'AssertCredential', 'AssertSecurity', 'AssertCapability', 'AssertACPower', 'AssertMemory', 'AssertCPUFeature',
  'AssertCPUs', 'AssertEnvironment', 'AssertUser', 'AssertGroup', 'AssertControlGroupController', 'AssertOSRelease',
  'AssertMemoryPressure', 'AssertCPUPressure', 'AssertIOPressure', 'CollectMode', 'PIDFile', 'ExecCondition',
  'ExecStartPre', 'ExecStart', 'ExecStartPost', 'ExecReload', 'ExecStop', 'ExecStopPost', 'RestartSec', 'TimeoutSec',
  'TimeoutStartSec', 'TimeoutStopSec', 'TimeoutAbortSec', 'TimeoutStartFailureMode', 'TimeoutStopFailureMode',
  'RuntimeMaxSec', 'RuntimeRandomizedExtraSec', 'WatchdogSec', 'Type', 'ExitType', 'Restart',
  'RootDirectoryStartOnly', 'RemainAfterExit', 'GuessMainPID', 'RestartPreventExitStatus', 'RestartForceExitStatus',
  'SuccessExitStatus', 'BusName', 'FileDescriptorStoreMax', 'NotifyAccess', 'Sockets', 'OOMPolicy',
  'WorkingDirectory', 'RootDirectory', 'User', 'Group', 'SupplementaryGroups', 'Nice', 'UMask', 'Environment',
  'EnvironmentFile', 'PassEnvironment', 'UnsetEnvironment', 'StandardInput', 'StandardOutput', 'StandardError',
  'StandardInputText', 'StandardInputData', 'SyslogIdentifier', 'SyslogFacility', 'SyslogLevel', 'SyslogLevelPrefix',
  'NoNewPrivileges', 'CPUAffinity', 'CapabilityBoundingSet', 'AmbientCapabilities', 'SecureBits',
  'CPUSchedulingPolicy', 'CPUSchedulingPriority', 'CPUSchedulingResetOnFork', 'IOSchedulingClass',
  'IOSchedulingPriority', 'TTYPath', 'TTYReset', 'TTYVHangup', 'TTYVTDisallocate', 'TTYRows', 'TTYColumns',
  'RuntimeDirectoryPreserve', 'RuntimeDirectoryMode', 'RuntimeDirectory', 'StateDirectoryMode',
  'StateDirectory', 'CacheDirectoryMode', 'CacheDirectory', 'LogsDirectoryMode', 'LogsDirectory',
  'ConfigurationDirectoryMode', 'ConfigurationDirectory', 'IgnoreSIGPIPE', 'TasksMax', 'SendSIGKILL', 'SendSIGHUP',
  'KillMode', 'KillSignal', 'RestartKillSignal', 'FinalKillSignal', 'WatchdogSignal', 'ListenStream',
  'ListenDatagram', 'ListenSequentialPacket', 'ListenFIFO', 'ListenNetlink', 'ListenSpecial', 'ListenMessageQueue',
  'ListenUSBFunction', 'BindIPv6Only', 'Backlog', 'ExecStopPre', 'SocketUser', 'SocketGroup', 'SocketMode',
  'DirectoryMode', 'Accept', 'FlushPending', 'Writable', 'MaxConnections', 'MaxConnectionsPerSource', 'KeepAlive',
  'KeepAliveTimeSec', 'KeepAliveIntervalSec', 'KeepAliveProbes', 'NoDelay', 'Priority', 'ReceiveBuffer',
  'SendBuffer', 'Mark', 'DeferAcceptSec', 'IPTOS', 'IPTTL', 'FreeBind', 'Transparent', 'Broadcast', 'PassCredentials', 'PassSecurity', 'ReusePort',
  'RemoveOnStop', 'Symlinks', 'FileDescriptorName', 'Service', 'TriggerLimitIntervalSec', 'TriggerLimitBurst',
  'OnCalendar', 'OnActiveSec', 'OnBootSec', 'OnStartupSec', 'OnUnitActiveSec', 'OnUnitInactiveSec', 'OnClockChange',
  'OnTimezoneChange', 'Persistent', 'WakeSystem', 'RemainAfterElapse', 'FixedRandomDelay', 'AccuracySec',
  'RandomizedDelaySec', 'Unit', 'PathExists', 'PathExistsGlob', 'PathChanged', 'PathModified', 'DirectoryNotEmpty',
  'MakeDirectory', 'Alias', 'WantedBy', 'RequiredBy', 'Also', 'DefaultInstance',
] as const;

const APPLIED_WHERE_PERMITTED = [
  'OOMScoreAdjust', 'LimitCPU', 'LimitFSIZE', 'LimitDATA', 'LimitSTACK', 'LimitCORE', 'LimitRSS', 'LimitNOFILE',
  'LimitAS', 'LimitNPROC', 'LimitMEMLOCK', 'LimitLOCKS', 'LimitSIGPENDING', 'LimitMSGQUEUE', 'LimitNICE',
  'LimitRTPRIO', 'LimitRTTIME',
] as const;

const NOT_APPLICABLE = [
  'RequiresOverridable', 'RequisiteOverridable', 'JobTimeoutRebootArgument', 'RebootArgument',
  'PermissionsStartOnly', 'NonBlocking', 'USBFunctionDescriptors', 'USBFunctionStrings', 'RootImage',
  'RootImageOptions', 'RootHash', 'RootHashSignature', 'RootVerity', 'ExtensionDirectories', 'ExtensionImages',
  'MountImages', 'CoredumpFilter', 'NUMAPolicy', 'NUMAMask', 'DynamicUser',
  'RemoveIPC', 'LogLevelMax',
  'LogRateLimitIntervalSec', 'LogRateLimitBurst', 'LogExtraFields', 'TimerSlackNSec', 'KeyringMode', 'ProtectProc', 'ProcSubset', 'SystemCallFilter',
  'SystemCallArchitectures', 'SystemCallErrorNumber', 'SystemCallLog', 'MemoryDenyWriteExecute',
  'RestrictNamespaces', 'RestrictRealtime', 'RestrictSUIDSGID', 'RestrictAddressFamilies', 'LockPersonality',
  'RestrictFileSystems', 'ReadWriteDirectories', 'ReadOnlyDirectories', 'InaccessibleDirectories', 'ReadWritePaths',
  'ReadOnlyPaths', 'InaccessiblePaths', 'ExecPaths', 'NoExecPaths', 'ExecSearchPath', 'BindPaths',
  'BindReadOnlyPaths', 'TemporaryFileSystem', 'PrivateTmp', 'PrivateDevices', 'ProtectKernelTunables',
  'ProtectKernelModules', 'ProtectKernelLogs', 'ProtectClock', 'ProtectControlGroups', 'NetworkNamespacePath',
  'IPCNamespacePath', 'LogNamespace', 'PrivateNetwork', 'PrivateUsers', 'PrivateMounts', 'PrivateIPC',
  'ProtectSystem', 'ProtectHome', 'MountFlags', 'MountAPIVFS', 'Personality', 'SetCredential',
  'SetCredentialEncrypted', 'LoadCredential', 'LoadCredentialEncrypted', 'TimeoutCleanSec', 'PAMName',
  'UtmpIdentifier', 'UtmpMode', 'SELinuxContext', 'AppArmorProfile', 'SmackProcessLabel', 'ProtectHostname', 'Slice',
  'AllowedCPUs', 'StartupAllowedCPUs', 'AllowedMemoryNodes', 'StartupAllowedMemoryNodes', 'CPUAccounting',
  'CPUWeight', 'StartupCPUWeight', 'CPUShares', 'StartupCPUShares', 'CPUQuota', 'CPUQuotaPeriodSec',
  'MemoryAccounting', 'MemoryMin', 'DefaultMemoryMin', 'DefaultMemoryLow', 'MemoryLow', 'MemoryHigh', 'MemoryMax',
  'MemorySwapMax', 'MemoryLimit', 'DeviceAllow', 'DevicePolicy', 'IOAccounting', 'IOWeight', 'StartupIOWeight',
  'IODeviceWeight', 'IOReadBandwidthMax', 'IOWriteBandwidthMax', 'IOReadIOPSMax', 'IOWriteIOPSMax',
  'IODeviceLatencyTargetSec', 'BlockIOAccounting', 'BlockIOWeight', 'StartupBlockIOWeight', 'BlockIODeviceWeight',
  'BlockIOReadBandwidth', 'BlockIOWriteBandwidth', 'TasksAccounting', 'Delegate', 'DisableControllers',
  'IPAccounting', 'IPAddressAllow', 'IPAddressDeny', 'IPIngressFilterPath', 'IPEgressFilterPath', 'ManagedOOMSwap',
  'ManagedOOMMemoryPressure', 'ManagedOOMMemoryPressureLimit', 'ManagedOOMPreference', 'BPFProgram',
  'SocketBindAllow', 'SocketBindDeny', 'RestrictNetworkInterfaces', 'SocketProtocol', 'BindToDevice',
  'PipeSize', 'PassPacketInfo', 'Timestamping', 'TCPCongestion',
  'MessageQueueMaxMessages', 'MessageQueueMessageSize', 'SmackLabel', 'SmackLabelIPIn', 'SmackLabelIPOut',
  'SELinuxContextFromNet', 'What', 'Where', 'Options', 'SloppyOptions', 'LazyUnmount', 'ForceUnmount',
  'ReadWriteOnly', 'ExtraOptions', 'TimeoutIdleSec',
] as const;

const CLASS_OF: ReadonlyMap<string, KeyClass> = new Map<string, KeyClass>([
  ...APPLIED.map((k): [string, KeyClass] => [k, 'applied']),
  ...APPLIED_WHERE_PERMITTED.map((k): [string, KeyClass] => [k, 'applied-where-permitted']),
  ...NOT_APPLICABLE.map((k): [string, KeyClass] => [k, 'not-applicable']),
]);

/** The class of a known key; undefined for a key systemd 252 does not know. */
export function keyClass(key: string): KeyClass | undefined {
  return CLASS_OF.get(key);
}

/** Every known key with its class, section by section (the test walks it). */
export function classifiedKeys(): { section: string; key: string; class: KeyClass | undefined }[] {
  return Object.entries(KNOWN_KEYS).flatMap(([section, keys]) => keys.map((key) => ({ section, key, class: keyClass(key) })));
}
