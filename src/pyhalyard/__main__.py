from pyhalyard.cli.main import main

main()
