// The order in which `systemctl show` prints properties: the manager's bus
// order (service-type properties, then the generic unit ones), not the order
// of -p. Recorded from systemd 252's `systemctl show --all` of a service and of
// the manager (test/cli/fixtures/oracle/*.show.txt); a property not listed
// here keeps the place the daemon gave it, after the listed ones.

/** Service properties first, then unit properties, as systemd 252 lists them. */
export const UNIT_PROPERTY_ORDER: readonly string[] = [
  'Type', 'ExitType', 'Restart', 'PIDFile', 'NotifyAccess', 'RestartUSec', 'TimeoutStartUSec', 'TimeoutStopUSec',
  'TimeoutAbortUSec', 'TimeoutStartFailureMode', 'TimeoutStopFailureMode', 'RuntimeMaxUSec',
  'RuntimeRandomizedExtraUSec', 'WatchdogUSec', 'WatchdogTimestamp', 'WatchdogTimestampMonotonic',
  'RootDirectoryStartOnly', 'RemainAfterExit', 'GuessMainPID', 'RestartPreventExitStatus', 'RestartForceExitStatus',
  'SuccessExitStatus', 'MainPID', 'ControlPID', 'BusName', 'FileDescriptorStoreMax', 'NFileDescriptorStore',
  'StatusText', 'StatusErrno', 'Result', 'ReloadResult', 'CleanResult', 'USBFunctionDescriptors', 'USBFunctionStrings',
  'UID', 'GID', 'NRestarts', 'OOMPolicy', 'ExecMainStartTimestamp', 'ExecMainStartTimestampMonotonic',
  'ExecMainExitTimestamp', 'ExecMainExitTimestampMonotonic', 'ExecMainPID', 'ExecMainCode', 'ExecMainStatus',
  'ExecCondition', 'ExecConditionEx', 'ExecStartPre', 'ExecStartPreEx', 'ExecStart', 'ExecStartEx', 'ExecStartPost',
  'ExecStartPostEx', 'ExecReload', 'ExecReloadEx', 'ExecStop', 'ExecStopEx', 'ExecStopPost', 'ExecStopPostEx', 'Slice',
  'ControlGroup', 'ControlGroupId', 'MemoryCurrent', 'MemoryAvailable', 'CPUUsageNSec', 'EffectiveCPUs',
  'EffectiveMemoryNodes', 'TasksCurrent', 'IPIngressBytes', 'IPIngressPackets', 'IPEgressBytes', 'IPEgressPackets',
  'IOReadBytes', 'IOReadOperations', 'IOWriteBytes', 'IOWriteOperations', 'Delegate', 'DelegateControllers',
  'CPUAccounting', 'CPUWeight', 'StartupCPUWeight', 'CPUShares', 'StartupCPUShares', 'CPUQuotaPerSecUSec',
  'CPUQuotaPeriodUSec', 'AllowedCPUs', 'StartupAllowedCPUs', 'AllowedMemoryNodes', 'StartupAllowedMemoryNodes',
  'IOAccounting', 'IOWeight', 'StartupIOWeight', 'BlockIOAccounting', 'BlockIOWeight', 'StartupBlockIOWeight',
  'MemoryAccounting', 'DefaultMemoryLow', 'DefaultMemoryMin', 'MemoryMin', 'MemoryLow', 'MemoryHigh', 'MemoryMax',
  'MemorySwapMax', 'MemoryLimit', 'DevicePolicy', 'TasksAccounting', 'TasksMax', 'IPAccounting', 'IPAddressAllow',
  'IPAddressDeny', 'IPIngressFilterPath', 'IPEgressFilterPath', 'DisableControllers', 'ManagedOOMSwap',
  'ManagedOOMMemoryPressure', 'ManagedOOMMemoryPressureLimit', 'ManagedOOMPreference', 'RestrictNetworkInterfaces',
  'Environment', 'PassEnvironment', 'UnsetEnvironment', 'UMask', 'LimitCPU', 'LimitCPUSoft', 'LimitFSIZE',
  'LimitFSIZESoft', 'LimitDATA', 'LimitDATASoft', 'LimitSTACK', 'LimitSTACKSoft', 'LimitCORE', 'LimitCORESoft',
  'LimitRSS', 'LimitRSSSoft', 'LimitNOFILE', 'LimitNOFILESoft', 'LimitAS', 'LimitASSoft', 'LimitNPROC',
  'LimitNPROCSoft', 'LimitMEMLOCK', 'LimitMEMLOCKSoft', 'LimitLOCKS', 'LimitLOCKSSoft', 'LimitSIGPENDING',
  'LimitSIGPENDINGSoft', 'LimitMSGQUEUE', 'LimitMSGQUEUESoft', 'LimitNICE', 'LimitNICESoft', 'LimitRTPRIO',
  'LimitRTPRIOSoft', 'LimitRTTIME', 'LimitRTTIMESoft', 'WorkingDirectory', 'RootDirectory', 'RootImage', 'RootHash',
  'RootHashPath', 'RootHashSignature', 'RootHashSignaturePath', 'RootVerity', 'ExtensionDirectories',
  'ExtensionImages', 'MountImages', 'OOMScoreAdjust', 'CoredumpFilter', 'Nice', 'IOSchedulingClass',
  'IOSchedulingPriority', 'CPUSchedulingPolicy', 'CPUSchedulingPriority', 'CPUAffinity', 'CPUAffinityFromNUMA',
  'NUMAPolicy', 'NUMAMask', 'TimerSlackNSec', 'CPUSchedulingResetOnFork', 'NonBlocking', 'StandardInput',
  'StandardInputFileDescriptorName', 'StandardInputData', 'StandardOutput', 'StandardOutputFileDescriptorName',
  'StandardError', 'StandardErrorFileDescriptorName', 'TTYPath', 'TTYReset', 'TTYVHangup', 'TTYVTDisallocate',
  'TTYRows', 'TTYColumns', 'SyslogPriority', 'SyslogIdentifier', 'SyslogLevelPrefix', 'SyslogLevel', 'SyslogFacility',
  'LogLevelMax', 'LogRateLimitIntervalUSec', 'LogRateLimitBurst', 'LogExtraFields', 'LogNamespace', 'SecureBits',
  'CapabilityBoundingSet', 'AmbientCapabilities', 'User', 'Group', 'DynamicUser', 'RemoveIPC', 'SetCredential',
  'SetCredentialEncrypted', 'LoadCredential', 'LoadCredentialEncrypted', 'SupplementaryGroups', 'PAMName',
  'ReadWritePaths', 'ReadOnlyPaths', 'InaccessiblePaths', 'ExecPaths', 'NoExecPaths', 'ExecSearchPath', 'MountFlags',
  'PrivateTmp', 'PrivateDevices', 'ProtectClock', 'ProtectKernelTunables', 'ProtectKernelModules', 'ProtectKernelLogs',
  'ProtectControlGroups', 'PrivateNetwork', 'PrivateUsers', 'PrivateMounts', 'PrivateIPC', 'ProtectHome',
  'ProtectSystem', 'SameProcessGroup', 'UtmpIdentifier', 'UtmpMode', 'SELinuxContext', 'AppArmorProfile',
  'SmackProcessLabel', 'IgnoreSIGPIPE', 'NoNewPrivileges', 'SystemCallFilter', 'SystemCallArchitectures',
  'SystemCallErrorNumber', 'SystemCallLog', 'Personality', 'LockPersonality', 'RestrictAddressFamilies',
  'RuntimeDirectoryPreserve', 'RuntimeDirectoryMode', 'RuntimeDirectory', 'StateDirectoryMode', 'StateDirectory',
  'CacheDirectoryMode', 'CacheDirectory', 'LogsDirectoryMode', 'LogsDirectory', 'ConfigurationDirectoryMode',
  'ConfigurationDirectory', 'TimeoutCleanUSec', 'MemoryDenyWriteExecute', 'RestrictRealtime', 'RestrictSUIDSGID',
  'RestrictNamespaces', 'RestrictFileSystems', 'BindPaths', 'BindReadOnlyPaths', 'TemporaryFileSystem', 'MountAPIVFS',
  'KeyringMode', 'ProtectProc', 'ProcSubset', 'ProtectHostname', 'NetworkNamespacePath', 'IPCNamespacePath',
  'KillMode', 'KillSignal', 'RestartKillSignal', 'FinalKillSignal', 'SendSIGKILL', 'SendSIGHUP', 'WatchdogSignal',
  'Id', 'Names', 'Following', 'Requires', 'Requisite', 'Wants', 'BindsTo', 'PartOf', 'Upholds', 'RequiredBy',
  'RequisiteOf', 'WantedBy', 'BoundBy', 'UpheldBy', 'ConsistsOf', 'Conflicts', 'ConflictedBy', 'Before', 'After',
  'OnSuccess', 'OnSuccessOf', 'OnFailure', 'OnFailureOf', 'Triggers', 'TriggeredBy', 'PropagatesReloadTo',
  'ReloadPropagatedFrom', 'PropagatesStopTo', 'StopPropagatedFrom', 'JoinsNamespaceOf', 'SliceOf', 'RequiresMountsFor',
  'Documentation', 'Description', 'AccessSELinuxContext', 'LoadState', 'ActiveState', 'FreezerState', 'SubState',
  'FragmentPath', 'SourcePath', 'DropInPaths', 'UnitFileState', 'UnitFilePreset', 'StateChangeTimestamp',
  'StateChangeTimestampMonotonic', 'InactiveExitTimestamp', 'InactiveExitTimestampMonotonic', 'ActiveEnterTimestamp',
  'ActiveEnterTimestampMonotonic', 'ActiveExitTimestamp', 'ActiveExitTimestampMonotonic', 'InactiveEnterTimestamp',
  'InactiveEnterTimestampMonotonic', 'CanStart', 'CanStop', 'CanReload', 'CanIsolate', 'CanClean', 'CanFreeze', 'Job',
  'StopWhenUnneeded', 'RefuseManualStart', 'RefuseManualStop', 'AllowIsolate', 'DefaultDependencies',
  'OnSuccessJobMode', 'OnFailureJobMode', 'IgnoreOnIsolate', 'NeedDaemonReload', 'Markers', 'JobTimeoutUSec',
  'JobRunningTimeoutUSec', 'JobTimeoutAction', 'JobTimeoutRebootArgument', 'ConditionResult', 'AssertResult',
  'ConditionTimestamp', 'ConditionTimestampMonotonic', 'AssertTimestamp', 'AssertTimestampMonotonic', 'Conditions',
  'Asserts', 'LoadError', 'Transient', 'Perpetual', 'StartLimitIntervalUSec', 'StartLimitBurst', 'StartLimitAction',
  'FailureAction', 'FailureActionExitStatus', 'SuccessAction', 'SuccessActionExitStatus', 'RebootArgument',
  'InvocationID', 'CollectMode', 'Refs', 'ActivationDetails',
];

/** Properties of `systemctl show` without a unit. */
export const MANAGER_PROPERTY_ORDER: readonly string[] = [
  'Version', 'Features', 'Virtualization', 'Architecture', 'Tainted', 'FirmwareTimestamp',
  'FirmwareTimestampMonotonic', 'LoaderTimestamp', 'LoaderTimestampMonotonic', 'KernelTimestamp',
  'KernelTimestampMonotonic', 'InitRDTimestamp', 'InitRDTimestampMonotonic', 'UserspaceTimestamp',
  'UserspaceTimestampMonotonic', 'FinishTimestamp', 'FinishTimestampMonotonic', 'SecurityStartTimestamp',
  'SecurityStartTimestampMonotonic', 'SecurityFinishTimestamp', 'SecurityFinishTimestampMonotonic',
  'GeneratorsStartTimestamp', 'GeneratorsStartTimestampMonotonic', 'GeneratorsFinishTimestamp',
  'GeneratorsFinishTimestampMonotonic', 'UnitsLoadStartTimestamp', 'UnitsLoadStartTimestampMonotonic',
  'UnitsLoadFinishTimestamp', 'UnitsLoadFinishTimestampMonotonic', 'UnitsLoadTimestamp', 'UnitsLoadTimestampMonotonic',
  'InitRDSecurityStartTimestamp', 'InitRDSecurityStartTimestampMonotonic', 'InitRDSecurityFinishTimestamp',
  'InitRDSecurityFinishTimestampMonotonic', 'InitRDGeneratorsStartTimestamp',
  'InitRDGeneratorsStartTimestampMonotonic', 'InitRDGeneratorsFinishTimestamp',
  'InitRDGeneratorsFinishTimestampMonotonic', 'InitRDUnitsLoadStartTimestamp',
  'InitRDUnitsLoadStartTimestampMonotonic', 'InitRDUnitsLoadFinishTimestamp',
  'InitRDUnitsLoadFinishTimestampMonotonic', 'LogLevel', 'LogTarget', 'NNames', 'NFailedUnits', 'NJobs',
  'NInstalledJobs', 'NFailedJobs', 'Progress', 'Environment', 'ConfirmSpawn', 'ShowStatus', 'UnitPath',
  'DefaultStandardOutput', 'DefaultStandardError', 'WatchdogDevice', 'WatchdogLastPingTimestamp',
  'WatchdogLastPingTimestampMonotonic', 'RuntimeWatchdogUSec', 'RuntimeWatchdogPreUSec', 'RuntimeWatchdogPreGovernor',
  'RebootWatchdogUSec', 'KExecWatchdogUSec', 'ServiceWatchdogs', 'ControlGroup', 'SystemState', 'ExitCode',
  'DefaultTimerAccuracyUSec', 'DefaultTimeoutStartUSec', 'DefaultTimeoutStopUSec', 'DefaultTimeoutAbortUSec',
  'DefaultDeviceTimeoutUSec', 'DefaultRestartUSec', 'DefaultStartLimitIntervalUSec', 'DefaultStartLimitBurst',
  'DefaultCPUAccounting', 'DefaultBlockIOAccounting', 'DefaultMemoryAccounting', 'DefaultTasksAccounting',
  'DefaultLimitCPU', 'DefaultLimitCPUSoft', 'DefaultLimitFSIZE', 'DefaultLimitFSIZESoft', 'DefaultLimitDATA',
  'DefaultLimitDATASoft', 'DefaultLimitSTACK', 'DefaultLimitSTACKSoft', 'DefaultLimitCORE', 'DefaultLimitCORESoft',
  'DefaultLimitRSS', 'DefaultLimitRSSSoft', 'DefaultLimitNOFILE', 'DefaultLimitNOFILESoft', 'DefaultLimitAS',
  'DefaultLimitASSoft', 'DefaultLimitNPROC', 'DefaultLimitNPROCSoft', 'DefaultLimitMEMLOCK', 'DefaultLimitMEMLOCKSoft',
  'DefaultLimitLOCKS', 'DefaultLimitLOCKSSoft', 'DefaultLimitSIGPENDING', 'DefaultLimitSIGPENDINGSoft',
  'DefaultLimitMSGQUEUE', 'DefaultLimitMSGQUEUESoft', 'DefaultLimitNICE', 'DefaultLimitNICESoft', 'DefaultLimitRTPRIO',
  'DefaultLimitRTPRIOSoft', 'DefaultLimitRTTIME', 'DefaultLimitRTTIMESoft', 'DefaultTasksMax', 'TimerSlackNSec',
  'DefaultOOMPolicy', 'DefaultOOMScoreAdjust', 'CtrlAltDelBurstAction',
];

/** A timer's own properties (dbus-timer.c's vtable order), shown before the common unit ones. */
const TIMER_PROPERTIES: readonly string[] = [
  'Unit', 'TimersMonotonic', 'TimersCalendar', 'OnClockChange', 'OnTimezoneChange', 'NextElapseUSecRealtime',
  'NextElapseUSecMonotonic', 'LastTriggerUSec', 'LastTriggerUSecMonotonic', 'Result', 'AccuracyUSec',
  'RandomizedDelayUSec', 'FixedRandomDelay', 'Persistent', 'WakeSystem', 'RemainAfterElapse',
];

/** Per unit type whose own properties differ from a service's: its own list, then the unit ones. */
const TYPE_PROPERTY_ORDER: Readonly<Record<string, readonly string[]>> = {
  timer: [...TIMER_PROPERTIES, ...UNIT_PROPERTY_ORDER.slice(UNIT_PROPERTY_ORDER.indexOf('Id'))],
};

/** The order `show` uses for the unit with this Id. */
export function propertyOrderOf(id: unknown): readonly string[] {
  const type = typeof id === 'string' ? id.slice(id.lastIndexOf('.') + 1) : '';
  return TYPE_PROPERTY_ORDER[type] ?? UNIT_PROPERTY_ORDER;
}
