"""Machines made on demand for a deployment (seed 002): LXC containers (`lxc`), libvirt/QEMU
virtual machines (`libvirt`) and Proxmox guests (`proxmox`) behind one interface
(`base.Provider`), each driven by its own Ansible playbooks through ansible-runner.

A provider makes, starts, stops, measures and destroys machines; deploying onto a machine is
`deployment.deploy` (a generated app) or `deployment.webapp` (a framework's app) over SSH.
"""
