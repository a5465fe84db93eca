// This computer's iSCSI initiator: one backend per OS (windows.ts, linux.ts, macos.ts).
// SCAFFOLD: the contract is wired; the implementation lands with issue #7.
import type { CommandResult, ParsedParams } from '../../../../shared/api';
import { AppError } from '../../../../shared/errors';

const notYet = () => new AppError('NOT_SUPPORTED', 'The iSCSI initiator is not available yet.');

export class InitiatorService {
  async discover(_params: ParsedParams<'initiator.discover'>): Promise<CommandResult<'initiator.discover'>> {
    throw notYet();
  }
  async connect(_params: ParsedParams<'initiator.connect'>): Promise<CommandResult<'initiator.connect'>> {
    throw notYet();
  }
  async disconnect(_params: ParsedParams<'initiator.disconnect'>): Promise<CommandResult<'initiator.disconnect'>> {
    throw notYet();
  }
  async list(_params: ParsedParams<'initiator.list'>): Promise<CommandResult<'initiator.list'>> {
    return [];
  }
}
