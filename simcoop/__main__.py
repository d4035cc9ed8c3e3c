from simcoop.cli import main

main()
